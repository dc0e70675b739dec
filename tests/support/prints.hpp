/// @file print(model) texts: PyTorch's, written by tests/reference/generate.py into
/// tests/reference/prints/<name>.txt, and ctnn's, in the same form (repr and a newline, as
/// Python's print adds one).
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "ctnn/io/print.hpp"
#include "source_dir.hpp"

namespace ctnn_test {

/// PyTorch's print(model) text for `name`; throws, naming the file, when it is missing.
inline std::string golden(const std::string& name) {
  const std::string path = std::string(CTNN_REFERENCE_DIR) + "/../prints/" + name + ".txt";
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open (run /usr/bin/python3 tests/reference/generate.py)");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// ctnn's print(model) text, comparable with golden().
template <class M>
std::string printed(const M& model) {
  return ctnn::repr(model) + "\n";
}

}  // namespace ctnn_test
