// Layer 1 steps on 3 features per time step; layer 0 gives 4.
#include <ctnn/ctnn.hpp>

/// A stateful layer of 3 features per step (its state: none; its step: the identity).
struct Steps3 {
  static constexpr int in_features = ctnn::any, out_features = ctnn::any;
  static constexpr int step_in_features = 3, step_out_features = 3;
  static constexpr long long state_bytes = 0;
  template <class X>
  ctnn::batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) const {
    return x;
  }
  template <class X, class Y, class G>
  ctnn::batch_like<G, G::RowsAtCompileTime> backward(const X&, const Y&, const Eigen::MatrixBase<G>& dy) const {
    return dy;
  }
  template <class X>
  ctnn::Matrix<float, 3, X::ColsAtCompileTime> step(const Eigen::MatrixBase<X>& x) {
    return x;
  }
  void reset_state() {}
};

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Linear<2, 4>, Steps3>;
#else
using Net = ctnn::Sequential<ctnn::Linear<2, 3>, Steps3>;
#endif

int main() {
  Net net;
  return net.step(ctnn::Sample<float, 2>::Zero()).size() == 3 ? 0 : 1;
}
