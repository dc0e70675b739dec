/// @file The name a module prints under (PyTorch's `type(module).__name__`): its `repr_name`
/// when it declares one, else its class name as the compiler spells it, without namespaces
/// and template arguments (`seeds::MyLayer<5, 3, true, float>` prints as `MyLayer`).
#pragma once

#include <cstddef>
#include <string_view>

#include "ctnn/detail/constexpr_string.hpp"

namespace ctnn::detail {


template <class T>
constexpr std::string_view pretty_function() {
  return __PRETTY_FUNCTION__;  // GCC: "... [with T = ns::X<1>]"; Clang: "... [T = ns::X<1>]"
}

template <class T>
constexpr short_name make_class_name() {
  std::string_view s = pretty_function<T>();
  const std::size_t start = s.find("T = ") + 4;
  s = s.substr(start);
  s = s.substr(0, s.find_first_of(";]"));  // GCC may add "; std::string_view = ..." after T
  // drop template arguments, then namespaces and enclosing functions ("main()::Local")
  std::size_t depth = 0, end = s.size();
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' && depth++ == 0 && end == s.size()) end = i;
    if (s[i] == '>') --depth;
  }
  s = s.substr(0, end);
  if (const std::size_t colon = s.rfind("::"); colon != std::string_view::npos) s = s.substr(colon + 2);
  return short_name::of(s);
}

template <class T>
inline constexpr short_name class_name_storage = make_class_name<T>();

/// T::repr_name if T declares it, else T's class name.
template <class T>
constexpr std::string_view repr_name_of() {
  if constexpr (requires { std::string_view(T::repr_name); }) {
    return std::string_view(T::repr_name);
  } else {
    return class_name_storage<T>.view();
  }
}

}  // namespace ctnn::detail
