/// @file Defines ctnn::init::reset_parameters(model, seed): every layer's default
/// initialisation (its `reset_parameters(Generator&)`) drawn from one generator seeded with
/// `seed`, in state_dict order, so the same seed gives the same model on every run.
#pragma once

#include <cstdint>

#include "ctnn/core/module.hpp"
#include "ctnn/init/generator.hpp"

namespace ctnn::init {

template <class Model>
void reset_parameters(Model& model, std::uint64_t seed) {
  Generator gen(seed);
  for_each_module(model, [&gen](auto& m) {
    if constexpr (requires { m.reset_parameters(gen); }) m.reset_parameters(gen);
  });
}

}  // namespace ctnn::init
