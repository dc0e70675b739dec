/// @file Defines ctnn::Error and the one hook every run-time check of the library goes
/// through: with exceptions it throws ctnn::Error; without them (-fno-exceptions, as on a
/// microcontroller) it calls a user-replaceable handler with the message, which by default
/// calls std::abort (docs/embedded.md#the-error-hook).
///
/// Fixed shapes need no run-time checks: what remains are dynamic batch sizes, misuse only
/// run time can see (backward before forward) and files.
#pragma once

#include <algorithm>
#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#if defined(__cpp_exceptions)
#include <stdexcept>
#endif

namespace ctnn {

#if defined(__cpp_exceptions)
/// Thrown for mistakes only run time can see (a batch of the wrong size through a dynamic
/// view, backward before forward, a bad file). The message is a sentence naming what was
/// expected and what was found; the object that threw is left as it was.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};
#endif

/// What runs when a run-time check fails in a program built without exceptions: it receives
/// the message (valid during the call) and must not return (reset, halt, log and loop...).
using error_handler = void (*)(const char* message);

namespace detail {
inline error_handler installed_error_handler = nullptr;  // nullptr: std::abort
}  // namespace detail

/// Installs the handler for builds without exceptions and returns the previous one (nullptr
/// stands for the default, std::abort). With exceptions, failed checks throw ctnn::Error and
/// the handler is never called.
inline error_handler set_error_handler(error_handler handler) noexcept {
  return std::exchange(detail::installed_error_handler, handler);
}

namespace detail {

#if !defined(__cpp_exceptions)
/// Appends one part of a message to a fixed buffer (no heap: the handler may run where
/// there is none), cutting what does not fit.
template <std::size_t N>
void append_message_part(char (&buf)[N], std::size_t& len, std::string_view s) {
  const std::size_t n = std::min(s.size(), N - 1 - len);
  s.copy(buf + len, n);
  len += n;
}
template <std::size_t N, std::integral I>
void append_message_part(char (&buf)[N], std::size_t& len, I v) {
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, v);
  append_message_part(buf, len, std::string_view(digits, static_cast<std::size_t>(r.ptr - digits)));
}
#endif

/// Reports a failed run-time check. The message is the concatenation of `parts` (strings
/// and integers), assembled only here, on the failing path.
template <class... Parts>
[[noreturn]] void fail(const Parts&... parts) {
#if defined(__cpp_exceptions)
  std::string what;
  auto append = [&what](const auto& p) {
    if constexpr (std::integral<std::remove_cvref_t<decltype(p)>>) {
      what += std::to_string(p);
    } else {
      what += p;
    }
  };
  (append(parts), ...);
  throw Error(what);
#else
  static char buf[256];  // static: this runs once, and a deep stack may be all that is left
  std::size_t len = 0;
  (append_message_part(buf, len, parts), ...);
  buf[len] = '\0';
  if (installed_error_handler) installed_error_handler(buf);
  std::abort();  // the default, and the end of a handler that returned
#endif
}

}  // namespace detail
}  // namespace ctnn
