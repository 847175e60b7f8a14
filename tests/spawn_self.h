// Runs this very test binary again as a child process, limited to some test cases and with
// extra environment variables. Tests use it for what needs a process of its own: being
// killed with SIGKILL (the checkpoint test), or malloc settings that glibc reads only at
// start-up (the memory test). A fresh exec (not a bare fork) keeps the child clean: the
// parent's thread pool threads do not exist in a forked copy.
#pragma once
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace nn_test {

// filter: doctest test-case names (wildcards allowed). extra_env: "NAME=value" strings.
// The child's stdout and stderr go to log_path; close_in_child: descriptors the child must
// not inherit (e.g. the parent's end of a pipe). Returns the child's pid, or -1.
inline pid_t spawn_self(const std::string& filter, const std::vector<std::string>& extra_env,
                        const std::string& log_path, const std::vector<int>& close_in_child = {}) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string exe = "/proc/self/exe", test_case = "--test-case=" + filter, quiet = "--no-version";
  char* argv[] = {exe.data(), test_case.data(), quiet.data(), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd : close_in_child) posix_spawn_file_actions_addclose(&actions, fd);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// Waits for the child; returns its exit code, or 128 + the signal that ended it.
inline int wait_child(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace nn_test
