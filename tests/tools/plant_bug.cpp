// plant_bug — makes a planted bug from an exercise's reference solution, for make test.
//
//   plant_bug SPEC SOLUTION OUT
//
// SPEC (tutorials/exercises/checks/planted/N_name/<bug>.bug) says what the mistake is and
// where it goes:
//
//   // The mistake: backward adds into dx instead of overwriting it.   (comment lines: kept
//   // expect-hint: dx must be overwritten, not added to                 at the top of OUT)
//   <<<<<<< solution
//       dx[i] = ...;              lines exactly as the solution has them
//   =======
//       dx[i] += ...;             the lines that replace them
//   >>>>>>> planted
//   (more blocks, each replaced in turn)
//
// OUT is SOLUTION with every block replaced. Each block's solution lines must occur in
// SOLUTION exactly once: when someone changes the solution there, this stops with a message
// naming the block, rather than quietly planting the bug in code that no longer exists.
// So a planted bug is the one change it makes, and the solution is written only once.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Block {
  std::string solution, planted;
  int line = 0;  // where the block starts in SPEC, for messages
};

struct Spec {
  std::string comments;  // the leading "//" lines, each ending in '\n'
  std::vector<Block> blocks;
};

bool read_file(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  text = s.str();
  return true;
}

// Throws a message (std::string) on a malformed spec.
Spec parse(const std::string& path, const std::string& text) {
  Spec spec;
  std::istringstream in(text);
  std::string line;
  enum { kTop, kSolution, kPlanted } where = kTop;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string at = path + ":" + std::to_string(number) + ": ";
    if (where == kTop) {
      if (line.rfind("//", 0) == 0 && spec.blocks.empty()) {
        spec.comments += line + "\n";
      } else if (line == "<<<<<<< solution") {
        spec.blocks.push_back({"", "", number});
        where = kSolution;
      } else if (!line.empty()) {
        throw at + "expected \"<<<<<<< solution\" (or, before the first block, a // comment), got \"" + line + "\"";
      }
    } else if (where == kSolution) {
      if (line == "=======")
        where = kPlanted;
      else
        spec.blocks.back().solution += line + "\n";
    } else {
      if (line == ">>>>>>> planted")
        where = kTop;
      else
        spec.blocks.back().planted += line + "\n";
    }
  }
  if (where != kTop) throw path + ": the block that starts on line " + std::to_string(spec.blocks.back().line) +
                           " has no \">>>>>>> planted\" line";
  if (spec.blocks.empty()) throw path + ": no \"<<<<<<< solution\" block: the bug changes nothing";
  if (spec.comments.find("// expect-hint: ") == std::string::npos)
    throw path + ": no \"// expect-hint: \" line saying what the checks must say";
  return spec;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: plant_bug SPEC SOLUTION OUT\n";
    return 2;
  }
  const std::string spec_path = argv[1], solution_path = argv[2], out_path = argv[3];
  std::string spec_text, code;
  if (!read_file(spec_path, spec_text)) {
    std::cerr << "plant_bug: cannot read " << spec_path << "\n";
    return 1;
  }
  if (!read_file(solution_path, code)) {
    std::cerr << "plant_bug: cannot read " << solution_path << "\n";
    return 1;
  }
  try {
    const Spec spec = parse(spec_path, spec_text);
    for (const Block& b : spec.blocks) {
      const size_t at = code.find(b.solution);
      const std::string where = spec_path + ":" + std::to_string(b.line) + ": the block's solution lines ";
      if (b.solution.empty() || at == std::string::npos)
        throw where + "are not in " + solution_path + " (was the solution changed there? update the block)";
      if (code.find(b.solution, at + 1) != std::string::npos)
        throw where + "occur more than once in " + solution_path + "; add a line around them to say which";
      code.replace(at, b.solution.size(), b.planted);
    }
    std::ofstream out(out_path, std::ios::binary);
    out << "// Planted bug, for make test, made by tests/tools/plant_bug.cpp from " << solution_path << " and\n// "
        << spec_path << " (tests/run_exercises.sh runs the checks on it; they must catch it).\n"
        << spec.comments << code;
    if (!out) throw "cannot write " + out_path;
  } catch (const std::string& message) {
    std::cerr << "plant_bug: " << message << "\n";
    return 1;
  }
  return 0;
}
