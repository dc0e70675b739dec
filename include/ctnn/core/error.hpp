/// @file Defines ctnn::Error, the one exception type the library throws.
#pragma once

#include <stdexcept>
#include <string>

namespace ctnn {

/// Thrown for mistakes only run time can see (a batch of the wrong size through a dynamic
/// view, backward before forward, a bad file). The message is a sentence naming what was
/// expected and what was found; the object that threw is left as it was.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace ctnn
