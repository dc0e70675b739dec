// A custom model without in_features / out_features used as a member of another model
// through ctnn::Cached: the error names the missing part of the Layer concept (HasShapeRule).
#include <ctnn/ctnn.hpp>

struct NoShapeRule {
#ifndef CTNN_SHOULD_FAIL
  static constexpr int in_features = ctnn::any, out_features = ctnn::any;
#endif
  template <class X>
  auto forward(const Eigen::MatrixBase<X>& x) const { return x.eval(); }
  template <class X, class Y, class G>
  auto backward(const X&, const Y&, const Eigen::MatrixBase<G>& dy) const { return dy.eval(); }
};

int main() {
  ctnn::Cached<NoShapeRule> layer;
  (void)layer;
}
