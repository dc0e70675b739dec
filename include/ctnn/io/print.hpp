/// @file print(model): `std::cout << model` and ctnn::repr(model) give what PyTorch's
/// print(model) gives for the same architecture:
///
///   Sequential(
///     (0): Linear(in_features=8, out_features=128, bias=True)
///     (1): Centered()
///   )
///
/// A module prints as `Name(extra)` with Name its `repr_name` (else its class name without
/// namespaces and template arguments) and extra its optional `std::string extra_repr() const`;
/// a module with children lists them, one per line, as `(name): repr`, indented by two
/// spaces. Parameters and buffers are not printed, as in PyTorch.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "ctnn/core/module.hpp"
#include "ctnn/core/module_base.hpp"
#include "ctnn/detail/type_name.hpp"

namespace ctnn {

namespace detail {
/// torch.nn.modules.module._addindent: every line but the first gets num_spaces more.
inline std::string add_indent(const std::string& s, int num_spaces) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '\n') out.append(static_cast<std::size_t>(num_spaces), ' ');
  }
  return out;
}
inline std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1) lines.push_back(s.substr(start, nl - start));
  lines.push_back(s.substr(start));
  return lines;
}
}  // namespace detail

/// The text print(model) shows (nn.Module.__repr__).
template <class M>
  requires detail::ModuleLike<M>
std::string repr(const M& module) {
  std::vector<std::string> extra_lines, child_lines;
  if constexpr (requires { std::string(module.extra_repr()); }) {
    const std::string extra = module.extra_repr();
    if (!extra.empty()) extra_lines = detail::split_lines(extra);
  }
  detail::for_each_state_child(module, [&](std::string_view name, const auto& child) {
    if constexpr (detail::ModuleLike<std::remove_cvref_t<decltype(child)>>)
      child_lines.push_back("(" + std::string(name) + "): " + detail::add_indent(repr(child), 2));
  });
  std::string s(detail::repr_name_of<M>());
  s += '(';
  if (extra_lines.size() == 1 && child_lines.empty()) {
    s += extra_lines[0];  // the one-liner of most built-in layers
  } else if (!extra_lines.empty() || !child_lines.empty()) {
    for (const auto* lines : {&extra_lines, &child_lines})
      for (const std::string& line : *lines) s += "\n  " + line;
    s += '\n';
  }
  s += ')';
  return s;
}

/// std::cout << model: print(model). Found for ctnn's own modules, and for a custom module
/// declared in another namespace when it derives from ctnn::Module (else write
/// `using ctnn::operator<<;` or print ctnn::repr(model)).
template <class M>
  requires detail::ModuleLike<M>
std::ostream& operator<<(std::ostream& os, const M& module) {
  return os << repr(module);
}

}  // namespace ctnn
