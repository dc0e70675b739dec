// The shared inputs as Eigen matrices (for the implementations built on Eigen).
#pragma once

#include <ctnn/detail/eigen.hpp>  // Eigen/Core, without GCC 12's AVX-512 false positives
#include <algorithm>
#include <vector>

#include "yardstick.hpp"

namespace bench {

/// R x C (column-major, sample j = column j) filled from v.
template <int R, int C>
yardstick::Mat<R, C> as_mat(const std::vector<float>& v) {
  yardstick::Mat<R, C> m(R, C);
  std::copy(v.begin(), v.end(), m.data());
  return m;
}

template <class M>
std::vector<float> as_vector(const M& m) {
  return std::vector<float>(m.data(), m.data() + m.size());
}

/// A network's inputs and targets for every workload.
template <int In, int Out>
struct EigenData {
  yardstick::Mat<In, kRing> ring;
  yardstick::Mat<In, kBatch> batch;
  yardstick::Mat<In, kTrainBatch> x;
  yardstick::Mat<Out, kTrainBatch> t;
  explicit EigenData(char net)
      : ring(as_mat<In, kRing>(inputs(net, kRing))),
        batch(as_mat<In, kBatch>(inputs(net, kBatch))),
        x(as_mat<In, kTrainBatch>(inputs(net, kTrainBatch))),
        t(as_mat<Out, kTrainBatch>(targets(net, kTrainBatch))) {}
};

}  // namespace bench
