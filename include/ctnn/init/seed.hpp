/// @file Defines ctnn::manual_seed(model, seed): reseeds the random generator of every module
/// of model that owns one (Dropout), so that a training run's masks repeat exactly.
#pragma once

#include <cstdint>

#include "ctnn/core/module.hpp"

namespace ctnn {

namespace detail {
/// SplitMix64's finaliser: distinct, well-mixed seeds for the k-th random module.
constexpr std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t k) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (k + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
}  // namespace detail

/// Gives the k-th module of model that has `manual_seed(std::uint64_t)` (in module order,
/// parents first) a generator seeded from (seed, k): same seed, same masks, and different
/// modules draw different masks. Parameters are not touched (see init::reset_parameters).
template <class Model>
  requires detail::ModuleLike<Model>
void manual_seed(Model& model, std::uint64_t seed) {
  std::uint64_t k = 0;
  for_each_module(model, [&](auto& m) {
    if constexpr (requires { m.manual_seed(seed); }) m.manual_seed(detail::mix_seed(seed, k++));
  });
}

}  // namespace ctnn
