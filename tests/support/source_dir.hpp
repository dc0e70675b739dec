/// @file Where the test programs find the source tree (reference data, the fuzz corpus, docs),
/// looked up at run time: tests/CMakeLists.txt writes the path into ctnn_source_dir.txt beside
/// the programs. No absolute path is compiled in, so ccache (CCACHE_BASEDIR, scripts/setup.sh)
/// shares the objects between clones of the repository in different folders.
#pragma once

#include <fstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace ctnn_test {

/// The repository's root, e.g. "/home/me/ctnn".
inline const std::string& source_dir() {
  static const std::string dir = [] {
    std::string exe(4096, '\0');
    const ssize_t n = readlink("/proc/self/exe", exe.data(), exe.size());
    if (n <= 0) throw std::runtime_error("ctnn_test::source_dir: cannot read /proc/self/exe");
    exe.resize(static_cast<std::size_t>(n));
    const std::string file = exe.substr(0, exe.rfind('/')) + "/ctnn_source_dir.txt";
    std::ifstream in(file);
    std::string line;
    if (!std::getline(in, line) || line.empty())
      throw std::runtime_error("ctnn_test::source_dir: cannot read " + file + " (written by tests/CMakeLists.txt)");
    return line;
  }();
  return dir;
}

}  // namespace ctnn_test

/// tests/reference/data of the source tree (a std::string).
#define CTNN_REFERENCE_DIR (::ctnn_test::source_dir() + "/tests/reference/data")
