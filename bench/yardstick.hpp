// The yardstick: what a careful engineer writes by hand with fixed-size Eigen. Weights are
// Eigen::Matrix<float, Out, In>; products use noalias(); bias and activation are applied in one
// pass; backward and Adam are written out; nothing allocates after construction. Layers too
// large for Eigen's fixed-size limit (network E) keep fixed rows and heap columns, as they must.
#pragma once

#include <ctnn/detail/eigen.hpp>  // Eigen/Core, without GCC 12's AVX-512 false positives
#include <cmath>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <vector>

#include "common.hpp"

namespace yardstick {

template <int R, int C>
using Mat = std::conditional_t<(std::size_t(R) * C * sizeof(float) <= EIGEN_STACK_ALLOCATION_LIMIT),
                               Eigen::Matrix<float, R, C>, Eigen::Matrix<float, R, Eigen::Dynamic>>;

enum class Act { none, relu, tanh };

struct AdamClock {
  int t = 0;
  float lr = bench::kLr, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
};

/// y = act(W x + b), with its gradients and Adam state.
template <int In, int Out, Act A>
struct Dense {
  Mat<Out, In> W = Mat<Out, In>::Zero(Out, In), gW = W, mW = W, vW = W;
  Eigen::Matrix<float, Out, 1> b = Eigen::Matrix<float, Out, 1>::Zero(), gb = b, mb = b, vb = b;

  void load(const bench::LayerWeights& w) {
    for (int o = 0; o < Out; ++o) {
      for (int i = 0; i < In; ++i) W(o, i) = w.W[std::size_t(o) * In + i];
      b(o) = w.b[o];
    }
  }

  template <class X, class Y>
  void forward(const X& x, Y& y) const {
    y.noalias() = W * x;
    // column by column: an expression over `y.colwise() + b` is not vectorised by Eigen
    for (Eigen::Index j = 0; j < y.cols(); ++j) {
      if constexpr (A == Act::relu) {
        y.col(j) = (y.col(j) + b).cwiseMax(0.0f);
      } else if constexpr (A == Act::tanh) {
        y.col(j) = (y.col(j) + b).array().tanh().matrix();
      } else {
        y.col(j) += b;
      }
    }
  }

  /// dy is dLoss/dy; overwritten with dLoss/d(pre-activation). Returns nothing; dx written.
  template <class X, class Y, class DY, class DX>
  void backward(const X& x, const Y& y, DY& dy, DX* dx) {
    if constexpr (A == Act::relu) {
      dy = (y.array() > 0.0f).select(dy, 0.0f);
    } else if constexpr (A == Act::tanh) {
      dy.array() *= 1.0f - y.array().square();
    }
    gW.noalias() += dy * x.transpose();
    gb += dy.rowwise().sum();
    if (dx) dx->noalias() = W.transpose() * dy;
  }

  void zero_grad() {
    gW.setZero();
    gb.setZero();
  }

  void adam(const AdamClock& c) {
    const float bc1 = 1.0f - std::pow(c.beta1, float(c.t)), bc2 = 1.0f - std::pow(c.beta2, float(c.t));
    const float step = c.lr / bc1, root_bc2 = std::sqrt(bc2);
    auto update = [&](auto& p, auto& g, auto& m, auto& v) {
      m = c.beta1 * m + (1.0f - c.beta1) * g;
      v = c.beta2 * v + (1.0f - c.beta2) * g.cwiseProduct(g);
      p.array() -= step * m.array() / (v.array().sqrt() / root_bc2 + c.eps);
    };
    update(W, gW, mW, vW);
    update(b, gb, mb, vb);
  }
};

/// MSELoss(reduction='mean'): loss and its gradient in one pass.
template <class Y, class T, class G>
float mse(const Y& y, const T& t, G& grad) {
  grad = y - t;
  const float n = float(y.size());
  const float loss = grad.squaredNorm() / n;
  grad *= 2.0f / n;
  return loss;
}

}  // namespace yardstick

namespace yardstick {

/// in -> h -> out: network C (and E, whose layers are large).
template <int In, int H, int Out, Act A>
struct Mlp2 {
  Dense<In, H, A> l1;
  Dense<H, Out, Act::none> l2;
  AdamClock clock;

  void load(const std::vector<bench::LayerWeights>& w) { l1.load(w[0]), l2.load(w[1]); }

  template <class X>
  Mat<Out, X::ColsAtCompileTime> infer(const X& x) const {
    constexpr int B = X::ColsAtCompileTime;
    Mat<H, B> h(H, x.cols());
    Mat<Out, B> y(Out, x.cols());
    l1.forward(x, h);
    l2.forward(h, y);
    return y;
  }

  template <int B>
  struct Cache {
    Mat<H, B> h = Mat<H, B>(H, B), dh = h;
    Mat<Out, B> y = Mat<Out, B>(Out, B), dy = y;
  };
  template <int B>
  float step(const Mat<In, B>& x, const Mat<Out, B>& t, Cache<B>& c) {
    l1.forward(x, c.h);
    l2.forward(c.h, c.y);
    const float loss = mse(c.y, t, c.dy);
    l2.backward(c.h, c.y, c.dy, &c.dh);
    l1.backward(x, c.h, c.dh, static_cast<Mat<In, B>*>(nullptr));
    ++clock.t;
    l1.adam(clock), l2.adam(clock);
    l1.zero_grad(), l2.zero_grad();
    return loss;
  }
};

/// in -> h1 -> h2 -> out: networks A and B.
template <int In, int H1, int H2, int Out, Act A>
struct Mlp3 {
  Dense<In, H1, A> l1;
  Dense<H1, H2, A> l2;
  Dense<H2, Out, Act::none> l3;
  AdamClock clock;

  void load(const std::vector<bench::LayerWeights>& w) { l1.load(w[0]), l2.load(w[1]), l3.load(w[2]); }

  template <class X>
  Mat<Out, X::ColsAtCompileTime> infer(const X& x) const {
    constexpr int B = X::ColsAtCompileTime;
    Mat<H1, B> h1(H1, x.cols());
    Mat<H2, B> h2(H2, x.cols());
    Mat<Out, B> y(Out, x.cols());
    l1.forward(x, h1);
    l2.forward(h1, h2);
    l3.forward(h2, y);
    return y;
  }

  template <int B>
  struct Cache {
    Mat<H1, B> h1 = Mat<H1, B>(H1, B), d1 = h1;
    Mat<H2, B> h2 = Mat<H2, B>(H2, B), d2 = h2;
    Mat<Out, B> y = Mat<Out, B>(Out, B), dy = y;
  };
  template <int B>
  float step(const Mat<In, B>& x, const Mat<Out, B>& t, Cache<B>& c) {
    l1.forward(x, c.h1);
    l2.forward(c.h1, c.h2);
    l3.forward(c.h2, c.y);
    const float loss = mse(c.y, t, c.dy);
    l3.backward(c.h2, c.y, c.dy, &c.d2);
    l2.backward(c.h1, c.h2, c.d2, &c.d1);
    l1.backward(x, c.h1, c.d1, static_cast<Mat<In, B>*>(nullptr));
    ++clock.t;
    l1.adam(clock), l2.adam(clock), l3.adam(clock);
    l1.zero_grad(), l2.zero_grad(), l3.zero_grad();
    return loss;
  }
};

/// in -> h1 -> h2 -> h3 -> out: network D.
template <int In, int H1, int H2, int H3, int Out, Act A>
struct Mlp4 {
  Dense<In, H1, A> l1;
  Dense<H1, H2, A> l2;
  Dense<H2, H3, A> l3;
  Dense<H3, Out, Act::none> l4;
  AdamClock clock;

  void load(const std::vector<bench::LayerWeights>& w) { l1.load(w[0]), l2.load(w[1]), l3.load(w[2]), l4.load(w[3]); }

  template <class X>
  Mat<Out, X::ColsAtCompileTime> infer(const X& x) const {
    constexpr int B = X::ColsAtCompileTime;
    Mat<H1, B> h1(H1, x.cols());
    Mat<H2, B> h2(H2, x.cols());
    Mat<H3, B> h3(H3, x.cols());
    Mat<Out, B> y(Out, x.cols());
    l1.forward(x, h1);
    l2.forward(h1, h2);
    l3.forward(h2, h3);
    l4.forward(h3, y);
    return y;
  }

  template <int B>
  struct Cache {
    Mat<H1, B> h1 = Mat<H1, B>(H1, B), d1 = h1;
    Mat<H2, B> h2 = Mat<H2, B>(H2, B), d2 = h2;
    Mat<H3, B> h3 = Mat<H3, B>(H3, B), d3 = h3;
    Mat<Out, B> y = Mat<Out, B>(Out, B), dy = y;
  };
  template <int B>
  float step(const Mat<In, B>& x, const Mat<Out, B>& t, Cache<B>& c) {
    l1.forward(x, c.h1);
    l2.forward(c.h1, c.h2);
    l3.forward(c.h2, c.h3);
    l4.forward(c.h3, c.y);
    const float loss = mse(c.y, t, c.dy);
    l4.backward(c.h3, c.y, c.dy, &c.d3);
    l3.backward(c.h2, c.h3, c.d3, &c.d2);
    l2.backward(c.h1, c.h2, c.d2, &c.d1);
    l1.backward(x, c.h1, c.d1, static_cast<Mat<In, B>*>(nullptr));
    ++clock.t;
    l1.adam(clock), l2.adam(clock), l3.adam(clock), l4.adam(clock);
    l1.zero_grad(), l2.zero_grad(), l3.zero_grad(), l4.zero_grad();
    return loss;
  }
};

using NetA = Mlp3<8, 128, 128, 1, Act::relu>;
using NetB = Mlp3<1, 8, 8, 1, Act::tanh>;
using NetC = Mlp2<64, 8, 1, Act::relu>;
using NetD = Mlp4<16, 64, 64, 64, 4, Act::tanh>;
using NetE = Mlp2<1024, 1024, 1024, Act::relu>;

}  // namespace yardstick
