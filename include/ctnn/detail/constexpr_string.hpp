/// @file The compile-time strings ctnn's walkers build: short_name (a string stored by value,
/// usable as a constexpr static member), decimal(v) (an integer's digits), and string_literal
/// (a string literal as a template argument, so that a diagnostic prints it). One set, used by
/// the module names ("0", "1", ...), print and summary names, the fingerprint and ctnn-embed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace ctnn::detail {

/// A short string stored by value (truncated at 64 characters).
struct short_name {
  char chars[64]{};
  std::size_t len = 0;
  constexpr std::string_view view() const { return {chars, len}; }
  static constexpr short_name of(std::string_view s) {
    short_name r;
    for (std::size_t i = 0; i < s.size() && i < sizeof r.chars; ++i) r.chars[r.len++] = s[i];
    return r;
  }
};

/// The decimal digits of v ("-12"), at compile time.
constexpr short_name decimal(long long v) {
  char digits[24]{};
  std::size_t k = 0;
  const bool negative = v < 0;
  unsigned long long u = negative ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
  do {
    digits[k++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  short_name r;
  if (negative) r.chars[r.len++] = '-';
  while (k > 0) r.chars[r.len++] = digits[--k];
  return r;
}

/// A string literal as a template argument.
template <std::size_t N>
struct string_literal {
  char chars[N]{};
  constexpr string_literal(const char (&s)[N]) { std::copy_n(s, N, chars); }  // NOLINT: implicit
  constexpr std::string_view view() const { return {chars, N - 1}; }
};

}  // namespace ctnn::detail
