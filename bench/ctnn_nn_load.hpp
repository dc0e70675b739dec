// ctnn's side of the CNN and RNN benchmarks: copies bench::nn::params(model) into a ctnn model
// by PyTorch's state_dict names (named_parameters, named_buffers), so that ctnn starts from the
// same weights as the yardstick and libtorch. Used by ctnn_cnn.cpp and ctnn_rnn.cpp.
#pragma once

#include <ctnn/ctnn.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "nn_common.hpp"

namespace bench::nn {

/// A ctnn parameter or buffer stores a PyTorch tensor (d0, d1, ...) as a (d0, d1 d2 ...)
/// matrix whose (r, c) is the row-major element r (d1 d2 ...) + c.
template <class Model>
void load_ctnn(Model& net, const std::string& model) {
  std::map<std::string, const Tensor*> src;
  for (const auto& t : params(model)) src[t.name] = &t;
  std::size_t loaded = 0;
  auto copy = [&](std::string_view view, auto& p) {
    const std::string name(view);  // the walker passes names as string_views
    auto it = src.find(name);
    if (it == src.end()) return;  // num_batches_tracked
    const Tensor& t = *it->second;
    if (std::size_t(p.value.size()) != t.numel()) {
      std::fprintf(stderr, "bench: %s %s: %zu elements in ctnn, %zu in PyTorch\n", model.c_str(), name.c_str(),
                   std::size_t(p.value.size()), t.numel());
      std::abort();
    }
    for (Eigen::Index r = 0; r < p.value.rows(); ++r)
      for (Eigen::Index c = 0; c < p.value.cols(); ++c) p.value(r, c) = t.v[std::size_t(r) * p.value.cols() + c];
    ++loaded;
  };
  ctnn::named_parameters(net, copy);
  ctnn::named_buffers(net, copy);
  if (loaded != src.size()) {
    std::fprintf(stderr, "bench: %s: %zu of %zu tensors found in the ctnn model (names differ)\n", model.c_str(), loaded,
                 src.size());
    std::abort();
  }
}

}  // namespace bench::nn
