// File helpers on top of POSIX calls: std::ofstream cannot fsync, and we want the
// operating system's own error text (errno) in every message.
#include "tensor/file_io.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <new>

#include "tensor/error.h"

namespace nn {
namespace {

std::string os_error() { return std::strerror(errno); }

[[noreturn]] void fail_write(const std::string& path, const std::string& why) {
  throw IoError("cannot write '" + path + "': " + why + "; check that the folder exists or can be created, is writable, " +
                "and that the disk is not full");
}

void create_parent_folder(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) fail_write(path, "cannot create folder '" + parent.string() + "' (" + ec.message() + ")");
}

// write() may write less than asked (or be interrupted by a signal): loop until done.
bool write_all(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Best effort: makes the rename itself durable. Some file systems refuse fsync on a
// folder; the file's own data is already safe by then, so a failure here is ignored.
void sync_folder(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  int fd = ::open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomic(const std::string& path, const void* data, size_t size) {
  if (path.empty()) fail_write(path, "the path is empty");
  create_parent_folder(path);
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_write(path, "cannot create '" + tmp + "' (" + os_error() + ")");
  // Held until the file is closed, after the rename: it tells remove_stale_temporary that
  // this temporary is being written, not left over. Best effort: some file systems have
  // no locks, and writing works without one.
  (void)::flock(fd, LOCK_EX | LOCK_NB);
  bool ok = write_all(fd, static_cast<const uint8_t*>(data), size) && ::fsync(fd) == 0;
  std::string why = ok ? "" : os_error();
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {  // renamed while still open (and locked)
    ok = false;
    why = "cannot rename '" + tmp + "' to it (" + os_error() + ")";
  }
  if (::close(fd) != 0 && ok) {
    ok = false;
    why = os_error();
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    fail_write(path, why);
  }
  sync_folder(path);
}

void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes) {
  write_file_atomic(path, bytes.data(), bytes.size());
}

void write_file_atomic(const std::string& path, const std::string& text) {
  write_file_atomic(path, text.data(), text.size());
}

void remove_stale_temporary(const std::string& path) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return;  // none (or a symbolic link, which is not ours)
  struct stat st {};
  // A regular file that nobody holds the lock of: its writer died before the rename.
  const bool leftover = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  if (leftover) (void)::unlink(tmp.c_str());
  ::close(fd);
}

std::vector<uint8_t> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open '" + path + "': " + os_error() + "; check the path and that the file exists");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw IoError("cannot read '" + path + "': it is not a regular file; pass the path of a file, not a folder");
  }
  std::vector<uint8_t> bytes;
  try {
    bytes.resize(static_cast<size_t>(st.st_size));
  } catch (const std::bad_alloc&) {
    ::close(fd);
    throw IoError("cannot read '" + path + "': out of memory for its " + std::to_string(st.st_size) + " bytes");
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t r = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      std::string why = r < 0 ? os_error() : "the file got shorter while it was being read";
      ::close(fd);
      throw IoError("cannot read '" + path + "': " + why);
    }
    done += static_cast<size_t>(r);
  }
  ::close(fd);
  return bytes;
}

}  // namespace nn
