// A custom layer without backward put in a Sequential: one error naming the
// layer and the missing part of the Layer concept.
#include <ctnn/ctnn.hpp>

struct NoBackward {
  static constexpr int in_features = 3, out_features = 3;
  template <class X>
  ctnn::batch_like<X, 3> forward(const Eigen::MatrixBase<X>& x) const { return x; }
#ifndef CTNN_SHOULD_FAIL
  template <class X, class Y, class G>
  ctnn::batch_like<G, 3> backward(const X&, const Y&, const Eigen::MatrixBase<G>& dy) const { return dy; }
#endif
};

int main() {
  ctnn::Sequential<ctnn::Linear<2, 3>, NoBackward> net;
  (void)net;
}
