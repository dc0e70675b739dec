// ctnn::Elementwise<F> with an F that only takes double: the derivative needs F(Dual<S>).
#include <cmath>
#include <ctnn/ctnn.hpp>

#ifdef CTNN_SHOULD_FAIL
struct Softsign {
  double operator()(double x) const { return x / (1 + std::abs(x)); }
};
#else
struct Softsign {
  template <class T>
  T operator()(T x) const {
    using std::abs;
    return x / (T(1) + abs(x));
  }
};
#endif

int main() {
  ctnn::Sequential<ctnn::Linear<2, 3, true, double>, ctnn::Elementwise<Softsign>> net;
  net.backward(net.forward(Eigen::Vector2d::Ones()));
}
