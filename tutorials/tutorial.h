// Shared plumbing for the tutorial programs: command-line flags and numbered sections.
//   --step      pause after each section until you press Enter (read, then continue)
//   --quick     run on a small slice, in seconds (CI runs every tutorial this way)
//   --epochs N  train for N epochs instead of the tutorial's default (only in tutorials
//               that train for long and ask for it: parse_args(argc, argv, true))
// Nothing here is about neural networks; the tutorials themselves are.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

namespace tutorial {

struct Args {
  bool step = false;
  bool quick = false;
  int epochs = 0;  // 0: not given, use the tutorial's own default

  // The number of epochs to train: --epochs N when given, else the tutorial's default.
  int epochs_or(int default_epochs) const { return epochs > 0 ? epochs : default_epochs; }
};

inline Args parse_args(int argc, char** argv, bool reads_epochs = false) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--step")) {
      args.step = true;
    } else if (!std::strcmp(argv[i], "--quick")) {
      args.quick = true;
    } else if (reads_epochs && !std::strcmp(argv[i], "--epochs") && i + 1 < argc && std::atoi(argv[i + 1]) > 0) {
      args.epochs = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--step] [--quick]%s\n  --step      pause between sections\n"
                           "  --quick     a small, fast run\n%s",
                   argv[0], reads_epochs ? " [--epochs N]" : "",
                   reads_epochs ? "  --epochs N  train for N epochs (N >= 1)\n" : "");
      std::exit(2);
    }
  }
  return args;
}

// Prints "[n] title" with an underline. With --step, first waits for Enter, so each
// section's output stays on screen until you have read it.
inline void section(const Args& args, int number, const std::string& title) {
  static bool first = true;
  if (args.step && !first) {
    std::cout << "\n(press Enter for section " << number << ") " << std::flush;
    std::string ignored;
    std::getline(std::cin, ignored);
  }
  first = false;
  std::string heading = "[";  // built with += : g++ 12 warns falsely on "literal" + to_string(...)
  heading += std::to_string(number);
  heading += "] ";
  heading += title;
  std::cout << "\n" << heading << "\n" << std::string(heading.size(), '-') << "\n";
}

}  // namespace tutorial
