// ctnn::with_scalar<Net, double> with a custom layer whose float parameters cannot follow (it
// has no with_scalar): one error naming the layer, not Eigen's mixed-scalar errors later.
#include <ctnn/ctnn.hpp>

template <class S = float>
struct Shift {
  static constexpr int in_features = 3, out_features = 3;
  using scalar_type = S;
#ifndef CTNN_SHOULD_FAIL
  template <class S2>
  using with_scalar = Shift<S2>;
#endif
  BOOST_HANA_DEFINE_STRUCT(Shift, (ctnn::Parameter<S, 3>, bias));
  template <class X>
  ctnn::batch_like<X, 3> forward(const Eigen::MatrixBase<X>& x) const {
    return x.colwise() + bias.value;
  }
  template <class X, class Y, class G>
  ctnn::batch_like<G, 3> backward(const X&, const Y&, const Eigen::MatrixBase<G>& g) {
    bias.grad += g.rowwise().sum();
    return g;
  }
};

using Net = ctnn::with_scalar<ctnn::Sequential<ctnn::Linear<3, 3>, Shift<>>, double>;

int main() {
  Net net;
  return net(ctnn::Sample<double, 3>::Zero()).size() == 3 ? 0 : 1;
}
