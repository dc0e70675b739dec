// docs/interop.md quotes code only from programs the test suite builds: every fenced block
// introduced by "`<file>`, region `<name>`" must equal that region of that file
// (`--8<-- [start:name]` ... `--8<-- [end:name]`, common indentation removed).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "source_dir.hpp"

namespace {

const std::filesystem::path root = std::filesystem::path(CTNN_REFERENCE_DIR) / ".." / ".." / "..";

std::vector<std::string> read_lines(const std::filesystem::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string dedented(const std::vector<std::string>& lines) {
  std::size_t indent = std::string::npos;
  for (const auto& l : lines)
    if (l.find_first_not_of(' ') != std::string::npos) indent = std::min(indent, l.find_first_not_of(' '));
  std::string out;
  for (const auto& l : lines) out += (l.size() > indent ? l.substr(indent) : std::string()) + "\n";
  return out;
}

std::string region(const std::filesystem::path& file, const std::string& name) {
  const auto lines = read_lines(file);
  std::vector<std::string> body;
  bool inside = false, found = false;
  for (const auto& l : lines) {
    if (l.find("--8<-- [end:" + name + "]") != std::string::npos) {
      found = inside;
      break;
    }
    if (inside) body.push_back(l);
    if (l.find("--8<-- [start:" + name + "]") != std::string::npos) inside = true;
  }
  if (!found) throw std::runtime_error(file.string() + " has no region '" + name + "'");
  return dedented(body);
}

}  // namespace

TEST_CASE("docs/interop.md quotes its code exactly from compiled examples and tests", "[io][docs]") {
  const auto doc = read_lines(root / "docs" / "interop.md");
  const std::regex intro("`([^`]+)`, region `([a-z_]+)`");
  std::size_t checked = 0;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    std::smatch m;
    if (!std::regex_search(doc[i], m, intro)) continue;
    const std::string file = m[1], name = m[2];
    std::size_t open = i + 1;
    while (open < doc.size() && doc[open].rfind("```", 0) != 0) ++open;
    REQUIRE(open < doc.size());
    std::vector<std::string> block;
    std::size_t close = open + 1;
    for (; close < doc.size() && doc[close].rfind("```", 0) != 0; ++close) block.push_back(doc[close]);
    INFO("docs/interop.md line " << i + 1 << ": " << file << ", region " << name);
    CHECK(dedented(block) == region(root / file, name));
    ++checked;
    i = close;
  }
  CHECK(checked >= 10);
}
