/// @file Reads the PyTorch reference data written by tests/reference/generate.py.
///
///   ctnn_test::Reference ref = ctnn_test::load_reference("linear");
///   const ctnn_test::Tensor& w = ref.tensor("weight");   // shape {3, 5}, row-major values
///   double w12 = w.at({1, 2});                            // == w.values[1 * 5 + 2]
///
/// File format (one case per file, `<case>.txt`):
///   # ctnn reference: <case> <one-line description>
///   <tensor-name> <ndim> <d0> <d1> ...      then one line: all values, row-major
/// Any malformed input or missing tensor throws std::runtime_error naming file and line.
/// Standard library only; CTNN_REFERENCE_DIR (source_dir.hpp) is found at run time.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "source_dir.hpp"

namespace ctnn_test {

/// One tensor: PyTorch's shape and its values in PyTorch's row-major order (float64).
struct Tensor {
  std::string name;
  std::vector<int> shape;  // empty for a 0-dim tensor (one value)
  std::vector<double> values;

  int ndim() const { return static_cast<int>(shape.size()); }
  int dim(int i) const {
    if (i < 0 || i >= ndim())
      throw std::out_of_range("tensor '" + name + "': dim(" + std::to_string(i) + ") of a " +
                              std::to_string(ndim()) + "-dim tensor");
    return shape[static_cast<std::size_t>(i)];
  }
  std::size_t numel() const { return values.size(); }
  /// Element at a full multi-index, e.g. at({row, col}); at({}) for a 0-dim tensor.
  double at(std::initializer_list<int> index) const {
    if (static_cast<int>(index.size()) != ndim())
      throw std::out_of_range("tensor '" + name + "': " + std::to_string(index.size()) +
                              " indices for a " + std::to_string(ndim()) + "-dim tensor");
    std::size_t flat = 0, d = 0;
    for (int i : index) {
      if (i < 0 || i >= shape[d])
        throw std::out_of_range("tensor '" + name + "': index " + std::to_string(i) +
                                " out of range for dimension " + std::to_string(d));
      flat = flat * static_cast<std::size_t>(shape[d]) + static_cast<std::size_t>(i);
      ++d;
    }
    return values[flat];
  }
};

/// One case file: its name, its description line, and its tensors by name.
struct Reference {
  std::string name, description, path;
  std::map<std::string, Tensor> tensors;

  bool has(const std::string& tensor_name) const { return tensors.count(tensor_name) != 0; }
  const Tensor& tensor(const std::string& tensor_name) const {
    auto it = tensors.find(tensor_name);
    if (it == tensors.end())
      throw std::runtime_error(path + ": no tensor named '" + tensor_name + "'");
    return it->second;
  }
};

/// Parses one file; `expected_case`, if not empty, must match the name in the header line.
inline Reference load_reference_file(const std::string& path, const std::string& expected_case = {}) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open reference file (run tests/reference/generate.py)");
  int line_no = 0;
  std::string line;
  auto fail = [&](const std::string& what) -> std::runtime_error {
    return std::runtime_error(path + ":" + std::to_string(line_no) + ": " + what);
  };
  Reference ref;
  ref.path = path;
  const std::string magic = "# ctnn reference: ";
  ++line_no;
  if (!std::getline(in, line) || line.compare(0, magic.size(), magic) != 0)
    throw fail("expected a first line '" + magic + "<case> <description>'");
  std::istringstream header(line.substr(magic.size()));
  header >> ref.name;
  std::getline(header >> std::ws, ref.description);
  if (ref.name.empty()) throw fail("missing case name");
  if (!expected_case.empty() && ref.name != expected_case)
    throw fail("file holds case '" + ref.name + "', expected '" + expected_case + "'");
  while (++line_no, std::getline(in, line)) {
    if (line.empty()) continue;  // tolerate blank lines between blocks
    Tensor t;
    std::istringstream block(line);
    int ndim = -1;
    if (!(block >> t.name >> ndim) || ndim < 0) throw fail("expected '<tensor-name> <ndim> <d0> ...'");
    std::size_t numel = 1;
    for (int i = 0; i < ndim; ++i) {
      int d = -1;
      if (!(block >> d) || d < 0) throw fail("tensor '" + t.name + "': bad or missing dimension");
      t.shape.push_back(d);
      numel *= static_cast<std::size_t>(d);
    }
    if (block >> std::ws, !block.eof()) throw fail("tensor '" + t.name + "': trailing text after shape");
    if (ref.tensors.count(t.name)) throw fail("duplicate tensor '" + t.name + "'");
    ++line_no;
    if (!std::getline(in, line)) throw fail("tensor '" + t.name + "': missing values line");
    t.values.reserve(numel);
    const char* p = line.c_str();
    for (;;) {
      while (*p == ' ' || *p == '\t' || *p == '\r') ++p;
      if (*p == '\0') break;
      char* end = nullptr;
      errno = 0;
      double v = std::strtod(p, &end);  // "C" locale assumed (tests never call setlocale)
      if (end == p || (*end != '\0' && *end != ' ' && *end != '\t' && *end != '\r'))
        throw fail("tensor '" + t.name + "': not a number near '" + std::string(p).substr(0, 24) + "'");
      t.values.push_back(v);
      p = end;
    }
    if (t.values.size() != numel)
      throw fail("tensor '" + t.name + "': " + std::to_string(t.values.size()) + " values, shape needs " +
                 std::to_string(numel));
    ref.tensors.emplace(t.name, std::move(t));
  }
  return ref;
}

/// Loads CTNN_REFERENCE_DIR/<case_name>.txt, e.g. load_reference("linear").
inline Reference load_reference(const std::string& case_name) {
  return load_reference_file(std::string(CTNN_REFERENCE_DIR) + "/" + case_name + ".txt", case_name);
}

}  // namespace ctnn_test
