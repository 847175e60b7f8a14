// Shared plumbing for the tutorial programs: command-line flags, numbered sections, where
// pictures go, and pictures in the terminal.
//   --step      pause after each section until you press Enter (read, then continue)
//   --quick     run on a small slice, in seconds (CI runs every tutorial this way); its
//               pictures go to out/quick/, so they never replace those of a full run
//   --color     draw pictures in colour even when the output is not a terminal
//   --epochs N  train for N epochs instead of the tutorial's default (only in tutorials
//               that train for long and ask for it: parse_args(argc, argv, true))
// Nothing here is about neural networks; the tutorials themselves are.
#pragma once
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "nn.h"

namespace tutorial {

struct Args {
  bool step = false;
  bool quick = false;
  bool color = false;
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
    } else if (!std::strcmp(argv[i], "--color")) {
      args.color = true;
    } else if (reads_epochs && !std::strcmp(argv[i], "--epochs") && i + 1 < argc && std::atoi(argv[i + 1]) > 0) {
      args.epochs = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--step] [--quick] [--color]%s\n  --step      pause between sections\n"
                           "  --quick     a small, fast run (pictures in out/quick/)\n"
                           "  --color     colour pictures even when the output is not a terminal\n%s",
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

// 592554 -> "592,554", as summary() prints totals.
inline std::string with_commas(long long n) {
  const std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out = n < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Where a picture or file goes: out/NAME, or out/quick/NAME for a --quick run, so a quick
// check never replaces the pictures of `make run` or of a full run.
inline std::string out_path(const Args& args, const std::string& name) {
  return (args.quick ? "out/quick/" : "out/") + name;
}

// A picture for the terminal: in 24-bit colour when the output is a terminal (or with
// --color), else in plain characters (nn::viz::text_image), because in a log file or a
// pipe the colour codes would be noise.
inline std::string picture(const Args& args, const nn::Tensor& image, nn::viz::TerminalImageOptions look = {}) {
  return args.color || nn::ProgressBar::stdout_is_terminal() ? nn::viz::terminal_image(image, look)
                                                             : nn::viz::text_image(image, look);
}

// How many columns a line of a picture takes on screen: colour codes take none, and a
// UTF-8 character (such as '▀') takes one whatever its number of bytes.
inline int screen_width(const std::string& line) {
  int width = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b') {  // ESC [ ... m
      while (i < line.size() && line[i] != 'm') ++i;
    } else if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) {
      ++width;
    }
  }
  return width;
}

// Pictures side by side, each in a thin frame (a black background would otherwise not show
// where a picture ends), `gap` spaces apart, indented by `indent` spaces.
inline std::string side_by_side(const std::vector<std::string>& pictures, int indent = 2, int gap = 2) {
  std::vector<std::vector<std::string>> lines(pictures.size());
  size_t height = 0;
  for (size_t i = 0; i < pictures.size(); ++i) {
    std::istringstream in(pictures[i]);
    for (std::string l; std::getline(in, l);) lines[i].push_back(l);
    height = std::max(height, lines[i].size());
  }
  auto width = [&](size_t i) { return lines[i].empty() ? 0 : screen_width(lines[i][0]); };
  // One line of text: for each picture, its row r (r < 0: the frame's edge). Built with +=,
  // as g++ 12 warns falsely about "literal" + std::string.
  auto row = [&](int r) {
    std::string out(indent, ' ');
    for (size_t i = 0; i < lines.size(); ++i) {
      if (i) out.append(gap, ' ');
      if (r < 0) {
        out += '+';
        out.append(width(i), '-');
        out += '+';
      } else {
        out += '|';
        if (static_cast<size_t>(r) < lines[i].size()) out += lines[i][r];
        else out.append(width(i), ' ');
        out += '|';
      }
    }
    out += '\n';
    return out;
  };
  std::string out = row(-1);
  for (size_t r = 0; r < height; ++r) out += row(static_cast<int>(r));
  out += row(-1);
  return out;
}

}  // namespace tutorial
