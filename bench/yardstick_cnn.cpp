// The hand-written yardsticks of issue 12's networks: im2col + fixed-size Eigen products,
// hand-written backward (BatchNorm in training mode with batch statistics), Adam. A sample's
// feature map (C, L) or (C, H, W), row-major as PyTorch stores it, is read as the column-major
// matrix (L, C) or (H W, C): channel c is column c, and a convolution is (positions x C_in K)
// im2col times the weight (C_in K x C_out), which is PyTorch's (C_out, C_in, K...) weight's
// bytes read column-major. Nothing allocates after construction.
#include <array>
#include <cstdint>
#include <memory>

#include "workloads_nn.hpp"
#include "yardstick_nn.hpp"

namespace {

using namespace yardstick;
using namespace yardstick::nn;
using bench::nn::params;

template <int R, int C>
Mat<R, C> input_mat(const std::string& key) {
  Mat<R, C> m(R, C);
  const auto v = bench::nn::uniform(key, std::size_t(R) * C);
  std::copy(v.begin(), v.end(), m.data());
  return m;
}

template <class M>
std::vector<float> as_vector(const M& m) {
  return std::vector<float>(m.data(), m.data() + m.size());
}

// ---- CNN1: (1, 128) Conv1d(1,16,5) ReLU MaxPool1d(2) Conv1d(16,32,5) ReLU AdaptiveAvgPool1d(1)
// Flatten Linear(32,4) ------------------------------------------------------------------------
struct Cnn1 {
  static constexpr int L0 = 128, K = 5, C1 = 16, L1 = L0 - K + 1 /*124*/, P1 = L1 / 2 /*62*/, C2 = 32,
                       L2 = P1 - K + 1 /*58*/, Out = 4;
  Param<K, C1> w1;  // (C_in K = 5, 16)
  Param<1, C1> b1;
  Param<C1 * K, C2> w2;  // (80, 32)
  Param<1, C2> b2;
  Param<Out, C2> wf;
  Param<Out, 1> bf;
  AdamClock clock;

  /// What one sample keeps for backward.
  struct Cache {
    Eigen::Matrix<float, L1, K> p1;        // im2col of the input
    Eigen::Matrix<float, L1, C1> a1;       // ReLU(conv1)
    Eigen::Matrix<std::uint8_t, P1, C1> arg1;  // which of the pair won the max
    Eigen::Matrix<float, L2, C1 * K> p2;   // im2col of the pooled map
    Eigen::Matrix<float, L2, C2> a2;       // ReLU(conv2)
  };

  explicit Cnn1(const std::string& model) {
    const auto& p = params(model);
    w1.load_same_bytes(p[0]), b1.load_same_bytes(p[1]), w2.load_same_bytes(p[2]), b2.load_same_bytes(p[3]);
    wf.load_transposed_bytes(p[4]), bf.load_same_bytes(p[5]);
  }

  /// One sample: x (128) -> the pooled features (32) that the Linear layer reads.
  template <class X>
  void features(const X& x, Cache& c, Eigen::Ref<Eigen::Matrix<float, C2, 1>> f) const {
    for (int k = 0; k < K; ++k) c.p1.col(k) = x.segment(k, L1);
    c.a1.noalias() = c.p1 * w1.w;
    c.a1 = (c.a1.rowwise() + b1.w).cwiseMax(0.0f);
    Eigen::Matrix<float, P1, C1> z;
    for (int ch = 0; ch < C1; ++ch)
      for (int t = 0; t < P1; ++t) {
        const float u = c.a1(2 * t, ch), v = c.a1(2 * t + 1, ch);
        c.arg1(t, ch) = v > u;  // PyTorch keeps the first of equal values
        z(t, ch) = v > u ? v : u;
      }
    for (int ch = 0; ch < C1; ++ch)
      for (int k = 0; k < K; ++k) c.p2.col(ch * K + k) = z.col(ch).segment(k, L2);
    c.a2.noalias() = c.p2 * w2.w;
    c.a2 = (c.a2.rowwise() + b2.w).cwiseMax(0.0f);
    f = c.a2.colwise().mean().transpose();
  }

  template <class X>
  Eigen::Matrix<float, Out, 1> infer(const X& x, Cache& c) const {
    Eigen::Matrix<float, C2, 1> f;
    features(x, c, f);
    return wf.w * f + bf.w;
  }

  template <int B>
  struct Batch {
    std::vector<Cache> caches = std::vector<Cache>(B);
    Eigen::Matrix<float, C2, B> f, df;
    Eigen::Matrix<float, Out, B> y, dy;
  };

  template <class X, class Y>
  void infer_batch(const X& x, Y& y, Cache& c) const {
    Eigen::Matrix<float, C2, 1> f;
    for (Index j = 0; j < x.cols(); ++j) {
      features(x.col(j), c, f);
      y.col(j).noalias() = wf.w * f;
      y.col(j) += bf.w;
    }
  }

  template <int B, class X, class T>
  float step(const X& x, const T& t, Batch<B>& b) {
    for (int j = 0; j < B; ++j) features(x.col(j), b.caches[j], b.f.col(j));
    b.y.noalias() = wf.w * b.f;
    b.y.colwise() += bf.w;
    const float loss = mse(b.y, t, b.dy);
    wf.g.noalias() += b.dy * b.f.transpose();
    bf.g += b.dy.rowwise().sum();
    b.df.noalias() = wf.w.transpose() * b.dy;
    Eigen::Matrix<float, L2, C2> d2;
    Eigen::Matrix<float, L2, C1 * K> dp2;
    Eigen::Matrix<float, L1, C1> d1;
    for (int j = 0; j < B; ++j) {
      Cache& c = b.caches[j];
      // AdaptiveAvgPool1d(1): every position gets 1/L2 of its channel's gradient; then ReLU
      d2 = (c.a2.array() > 0.0f).select((b.df.col(j).transpose() / float(L2)).template replicate<L2, 1>(), 0.0f);
      w2.g.noalias() += c.p2.transpose() * d2;
      b2.g += d2.colwise().sum();
      dp2.noalias() = d2 * w2.w.transpose();
      // col2im into the pooled map's gradient, then MaxPool1d(2) routes it to the winner
      Eigen::Matrix<float, P1, C1> dz = Eigen::Matrix<float, P1, C1>::Zero();
      for (int ch = 0; ch < C1; ++ch)
        for (int k = 0; k < K; ++k) dz.col(ch).segment(k, L2) += dp2.col(ch * K + k);
      d1.setZero();
      for (int ch = 0; ch < C1; ++ch)
        for (int t = 0; t < P1; ++t) {
          const int at = 2 * t + c.arg1(t, ch);
          if (c.a1(at, ch) > 0.0f) d1(at, ch) = dz(t, ch);
        }
      w1.g.noalias() += c.p1.transpose() * d1;
      b1.g += d1.colwise().sum();
    }
    ++clock.t;
    w1.adam(clock), b1.adam(clock), w2.adam(clock), b2.adam(clock), wf.adam(clock), bf.adam(clock);
    return loss;
  }
};

struct Cnn1Runner {
  std::unique_ptr<Cnn1> net;
  std::unique_ptr<Cnn1::Cache> cache = std::make_unique<Cnn1::Cache>();
  std::unique_ptr<Cnn1::Batch<bench::nn::kCnnTrain>> train = std::make_unique<Cnn1::Batch<bench::nn::kCnnTrain>>();
  Mat<Cnn1::L0, bench::nn::kCnnRing> ring = input_mat<Cnn1::L0, bench::nn::kCnnRing>("CNN1.ring");
  Mat<Cnn1::L0, bench::nn::kCnnBatch> batch = input_mat<Cnn1::L0, bench::nn::kCnnBatch>("CNN1.batch");
  Mat<Cnn1::Out, bench::nn::kCnnBatch> batch_out;
  Mat<Cnn1::L0, bench::nn::kCnnTrain> x = input_mat<Cnn1::L0, bench::nn::kCnnTrain>("CNN1.x");
  Mat<Cnn1::Out, bench::nn::kCnnTrain> t = input_mat<Cnn1::Out, bench::nn::kCnnTrain>("CNN1.t");

  explicit Cnn1Runner(const std::string& model) : net(std::make_unique<Cnn1>(model)) {}
  void w1(int i) {
    auto y = net->infer(ring.col(i), *cache);
    benchmark::DoNotOptimize(y);
  }
  void w2() {
    net->infer_batch(batch, batch_out, *cache);
    benchmark::DoNotOptimize(batch_out.data());
    benchmark::ClobberMemory();
  }
  float w3() { return net->step(x, t, *train); }
  std::vector<float> outputs(bench::Workload w) {
    std::vector<float> v;
    if (w == bench::Workload::W1) {
      for (int i = 0; i < bench::nn::kCnnRing; ++i) {
        auto y = as_vector(net->infer(ring.col(i), *cache));
        v.insert(v.end(), y.begin(), y.end());
      }
    } else if (w == bench::Workload::W2) {
      w2();
      v = as_vector(batch_out);
    } else {
      for (int k = 0; k < bench::nn::kNnCheckSteps; ++k) v.push_back(w3());
    }
    return v;
  }
};

// ---- CNN2: (1, 28, 28) Conv2d(1,8,3,padding=1) BatchNorm2d(8) ReLU MaxPool2d(2)
// Conv2d(8,16,3,padding=1) BatchNorm2d(16) ReLU MaxPool2d(2) Flatten Linear(784,10) -----------
/// im2col of a 3x3 convolution with padding 1 on an S x S map of C channels (positions x C 9),
/// column c 9 + kh 3 + kw: each output row's S positions are one contiguous copy of an input
/// row (shifted by kw - 1), zeros where the window hangs over the edge.
template <int S, int C, class X, class P>
void im2col3x3(const X& x, P& p) {
  for (int c = 0; c < C; ++c)
    for (int kh = 0; kh < 3; ++kh)
      for (int kw = 0; kw < 3; ++kw) {
        auto col = p.col(c * 9 + kh * 3 + kw);
        const int lo = kw == 0 ? 1 : 0, hi = kw == 2 ? S - 1 : S;  // ow with 0 <= ow + kw - 1 < S
        for (int oh = 0; oh < S; ++oh) {
          const int ih = oh + kh - 1;
          auto dst = col.template segment<S>(oh * S);
          if (ih < 0 || ih >= S) {
            dst.setZero();
            continue;
          }
          if (lo) dst(0) = 0.0f;
          if (hi < S) dst(S - 1) = 0.0f;
          dst.segment(lo, hi - lo) = x.col(c).segment(ih * S + lo + kw - 1, hi - lo);
        }
      }
}
/// The adjoint of im2col3x3: dx = sum of dp's columns at the positions they were read from.
template <int S, int C, class P, class X>
void col2im3x3(const P& dp, X& dx) {
  dx.setZero();
  for (int c = 0; c < C; ++c)
    for (int kh = 0; kh < 3; ++kh)
      for (int kw = 0; kw < 3; ++kw) {
        auto col = dp.col(c * 9 + kh * 3 + kw);
        const int lo = kw == 0 ? 1 : 0, hi = kw == 2 ? S - 1 : S;
        for (int oh = 0; oh < S; ++oh) {
          const int ih = oh + kh - 1;
          if (ih < 0 || ih >= S) continue;
          dx.col(c).segment(ih * S + lo + kw - 1, hi - lo) += col.segment(oh * S + lo, hi - lo);
        }
      }
}
/// MaxPool2d(2) on an S x S map: z and which of the four won (0..3, row-major in the window;
/// PyTorch keeps the first of equal values).
template <int S, int C, class A, class Z, class Arg>
void maxpool2(const A& a, Z& z, Arg& arg) {
  constexpr int H = S / 2;
  for (int c = 0; c < C; ++c)
    for (int ph = 0; ph < H; ++ph)
      for (int pw = 0; pw < H; ++pw) {
        const int base = 2 * ph * S + 2 * pw;
        const float v[4] = {a(base, c), a(base + 1, c), a(base + S, c), a(base + S + 1, c)};
        int best = 0;
        for (int q = 1; q < 4; ++q)
          if (v[q] > v[best]) best = q;
        z(ph * H + pw, c) = v[best];
        arg(ph * H + pw, c) = std::uint8_t(best);
      }
}

struct Cnn2 {
  static constexpr int S1 = 28, C1 = 8, S2 = 14, C2 = 16, S3 = 7, F = C2 * S3 * S3 /*784*/, Out = 10;
  static constexpr int N1 = S1 * S1, N2 = S2 * S2, N3 = S3 * S3;
  Param<9, C1> w1;
  Param<1, C1> b1, g1, be1;
  Param<C1 * 9, C2> w2;
  Param<1, C2> b2, g2, be2;
  Eigen::Matrix<float, 1, C1> rm1, rv1;
  Eigen::Matrix<float, 1, C2> rm2, rv2;
  Param<Out, F> wf;
  Param<Out, 1> bf;
  AdamClock clock;

  explicit Cnn2(const std::string& model) {
    const auto& p = params(model);
    w1.load_same_bytes(p[0]), b1.load_same_bytes(p[1]), g1.load_same_bytes(p[2]), be1.load_same_bytes(p[3]);
    std::memcpy(rm1.data(), p[4].v.data(), sizeof(float) * C1), std::memcpy(rv1.data(), p[5].v.data(), sizeof(float) * C1);
    w2.load_same_bytes(p[6]), b2.load_same_bytes(p[7]), g2.load_same_bytes(p[8]), be2.load_same_bytes(p[9]);
    std::memcpy(rm2.data(), p[10].v.data(), sizeof(float) * C2), std::memcpy(rv2.data(), p[11].v.data(), sizeof(float) * C2);
    wf.load_transposed_bytes(p[12]), bf.load_same_bytes(p[13]);
  }

  struct Work {  // one sample's scratch for inference
    Eigen::Matrix<float, N1, 9> p1;
    Eigen::Matrix<float, N1, C1> a1;
    Eigen::Matrix<float, N2, C1> z1;
    Eigen::Matrix<std::uint8_t, N2, C1> arg1;
    Eigen::Matrix<float, N2, C1 * 9> p2;
    Eigen::Matrix<float, N2, C2> a2;
    Eigen::Matrix<std::uint8_t, N3, C2> arg2;
  };

  /// Eval mode: BatchNorm is y = x s + t per channel with the running statistics, fused with
  /// ReLU in one pass after the product.
  template <class X, class Flat>
  void features_eval(const X& x, Work& w, Flat&& flat) const {
    const Eigen::Matrix<float, 1, C1> s1 = g1.w.array() / (rv1.array() + bench::nn::kBnEps).sqrt();
    const Eigen::Matrix<float, 1, C1> t1 = be1.w.array() + (b1.w - rm1).array() * s1.array();
    const Eigen::Matrix<float, 1, C2> s2 = g2.w.array() / (rv2.array() + bench::nn::kBnEps).sqrt();
    const Eigen::Matrix<float, 1, C2> t2 = be2.w.array() + (b2.w - rm2).array() * s2.array();
    im2col3x3<S1, 1>(x, w.p1);
    w.a1.noalias() = w.p1 * w1.w;
    for (int c = 0; c < C1; ++c) w.a1.col(c) = (w.a1.col(c) * s1(c)).array().cwiseMax(-t1(c)) + t1(c);
    maxpool2<S1, C1>(w.a1, w.z1, w.arg1);
    im2col3x3<S2, C1>(w.z1, w.p2);
    w.a2.noalias() = w.p2 * w2.w;
    for (int c = 0; c < C2; ++c) w.a2.col(c) = (w.a2.col(c) * s2(c)).array().cwiseMax(-t2(c)) + t2(c);
    Eigen::Map<Eigen::Matrix<float, N3, C2>> z2(flat.data());
    maxpool2<S2, C2>(w.a2, z2, w.arg2);
  }

  template <class X>
  Eigen::Matrix<float, Out, 1> infer(const X& x, Work& w) const {
    Eigen::Matrix<float, F, 1> flat;
    features_eval(Eigen::Map<const Eigen::Matrix<float, N1, 1>>(x.data()), w, flat);
    return wf.w * flat + bf.w;
  }
  template <class X, class Y>
  void infer_batch(const X& x, Y& y, Work& w) const {
    Eigen::Matrix<float, F, 1> flat;
    for (Index j = 0; j < x.cols(); ++j) {
      features_eval(Eigen::Map<const Eigen::Matrix<float, N1, 1>>(x.col(j).data()), w, flat);
      y.col(j).noalias() = wf.w * flat;
      y.col(j) += bf.w;
    }
  }

  // ---- training (batch statistics) ----
  struct Cache {  // one sample
    Eigen::Matrix<float, N1, 9> p1;
    Eigen::Matrix<float, N1, C1> h1, a1;   // h1: conv1, then x-hat; a1: ReLU(BN); later gradients
    Eigen::Matrix<std::uint8_t, N2, C1> arg1;
    Eigen::Matrix<float, N2, C1 * 9> p2;
    Eigen::Matrix<float, N2, C2> h2, a2;
    Eigen::Matrix<std::uint8_t, N3, C2> arg2;
  };
  template <int B>
  struct Batch {
    std::vector<Cache> c = std::vector<Cache>(B);
    Mat<F, B> flat = Mat<F, B>(F, B), dflat = flat;
    Eigen::Matrix<float, Out, B> y, dy;
    Eigen::Matrix<float, N2, C1> z1, dz1;
    Eigen::Matrix<float, N2, C1 * 9> dp2;
  };

  /// Batch statistics of channel columns h over all samples: x-hat in place, running stats
  /// updated as PyTorch does (unbiased variance), returns 1 / sqrt(var + eps).
  template <int C, class Get, class RM>
  static Eigen::Matrix<float, 1, C> normalize(int batch, Get&& h, RM& rm, RM& rv) {
    const double n = double(batch) * double(h(0).rows());
    Eigen::Matrix<double, 1, C> sum = Eigen::Matrix<double, 1, C>::Zero();
    for (int j = 0; j < batch; ++j) sum += h(j).colwise().sum().template cast<double>();
    const Eigen::Matrix<float, 1, C> mean = (sum / n).template cast<float>();
    Eigen::Matrix<double, 1, C> sq = Eigen::Matrix<double, 1, C>::Zero();
    for (int j = 0; j < batch; ++j)
      sq += (h(j).rowwise() - mean).colwise().squaredNorm().template cast<double>();
    const Eigen::Matrix<float, 1, C> var = (sq / n).template cast<float>();
    const Eigen::Matrix<float, 1, C> inv = (var.array() + bench::nn::kBnEps).rsqrt();
    for (int j = 0; j < batch; ++j) h(j) = (h(j).rowwise() - mean).array().rowwise() * inv.array();
    const float m = bench::nn::kBnMomentum;
    rm = (1.0f - m) * rm + m * mean;
    rv = (1.0f - m) * rv + m * var * float(n / (n - 1.0));
    return inv;
  }

  /// BatchNorm's backward over the batch: d (the gradient of its output, in a) becomes the
  /// gradient of its input, in place; gamma and beta's gradients accumulated.
  template <int C, class GetD, class GetH>
  static void bn_backward(int batch, GetD&& d, GetH&& xhat, Param<1, C>& g, Param<1, C>& be,
                          const Eigen::Matrix<float, 1, C>& inv) {
    Eigen::Matrix<float, 1, C> dbeta = Eigen::Matrix<float, 1, C>::Zero(), dgamma = dbeta;
    for (int j = 0; j < batch; ++j) {
      dbeta += d(j).colwise().sum();
      dgamma += d(j).cwiseProduct(xhat(j)).colwise().sum();
    }
    be.g += dbeta;
    g.g += dgamma;
    const float n = float(batch) * float(d(0).rows());
    const Eigen::Matrix<float, 1, C> k = g.w.cwiseProduct(inv) / n, mb = dbeta, mg = dgamma;
    for (int j = 0; j < batch; ++j) {
      auto& dj = d(j);
      for (int c = 0; c < C; ++c)
        dj.col(c) = k(c) * ((n * dj.col(c)).array() - mb(c) - xhat(j).col(c).array() * mg(c)).matrix();
    }
  }

  template <int B, class X>
  float step(const X& x, const std::vector<int>& labels, Batch<B>& b) {
    for (int j = 0; j < B; ++j) {
      Cache& c = b.c[j];
      im2col3x3<S1, 1>(Eigen::Map<const Eigen::Matrix<float, N1, 1>>(x.col(j).data()), c.p1);
      c.h1.noalias() = c.p1 * w1.w;
      c.h1.rowwise() += b1.w;
    }
    const auto inv1 = normalize<C1>(B, [&](int j) -> auto& { return b.c[j].h1; }, rm1, rv1);
    for (int j = 0; j < B; ++j) {
      Cache& c = b.c[j];
      c.a1 = ((c.h1.array().rowwise() * g1.w.array()).rowwise() + be1.w.array()).cwiseMax(0.0f);
      maxpool2<S1, C1>(c.a1, b.z1, c.arg1);
      im2col3x3<S2, C1>(b.z1, c.p2);
      c.h2.noalias() = c.p2 * w2.w;
      c.h2.rowwise() += b2.w;
    }
    const auto inv2 = normalize<C2>(B, [&](int j) -> auto& { return b.c[j].h2; }, rm2, rv2);
    for (int j = 0; j < B; ++j) {
      Cache& c = b.c[j];
      c.a2 = ((c.h2.array().rowwise() * g2.w.array()).rowwise() + be2.w.array()).cwiseMax(0.0f);
      Eigen::Map<Eigen::Matrix<float, N3, C2>> z2(b.flat.col(j).data());
      maxpool2<S2, C2>(c.a2, z2, c.arg2);
    }
    b.y.noalias() = wf.w * b.flat;
    b.y.colwise() += bf.w;
    // CrossEntropyLoss (mean): log-sum-exp per sample, gradient softmax - one-hot, over B
    float loss = 0.0f;
    for (int j = 0; j < B; ++j) {
      const float mx = b.y.col(j).maxCoeff();
      const auto e = (b.y.col(j).array() - mx).exp().eval();
      const float sum = e.sum();
      loss += mx + std::log(sum) - b.y(labels[j], j);
      b.dy.col(j) = (e / sum).matrix();
      b.dy(labels[j], j) -= 1.0f;
    }
    b.dy /= float(B);
    loss /= float(B);
    wf.g.noalias() += b.dy * b.flat.transpose();
    bf.g += b.dy.rowwise().sum();
    b.dflat.noalias() = wf.w.transpose() * b.dy;
    // MaxPool2d(2) and ReLU backward of the second block, into a2 (now d BN2's output)
    for (int j = 0; j < B; ++j) {
      Cache& c = b.c[j];
      Eigen::Map<const Eigen::Matrix<float, N3, C2>> dz(b.dflat.col(j).data());
      Eigen::Matrix<float, N2, C2> d = Eigen::Matrix<float, N2, C2>::Zero();
      for (int ch = 0; ch < C2; ++ch)
        for (int q = 0; q < N3; ++q) {
          const int at = 2 * (q / S3) * S2 + 2 * (q % S3) + (c.arg2(q, ch) >> 1) * S2 + (c.arg2(q, ch) & 1);
          if (c.a2(at, ch) > 0.0f) d(at, ch) = dz(q, ch);
        }
      c.a2 = d;
    }
    bn_backward<C2>(B, [&](int j) -> auto& { return b.c[j].a2; }, [&](int j) -> auto& { return b.c[j].h2; }, g2, be2,
                    inv2);
    for (int j = 0; j < B; ++j) {
      Cache& c = b.c[j];
      w2.g.noalias() += c.p2.transpose() * c.a2;
      b2.g += c.a2.colwise().sum();
      b.dp2.noalias() = c.a2 * w2.w.transpose();
      col2im3x3<S2, C1>(b.dp2, b.dz1);
      Eigen::Matrix<float, N1, C1> d = Eigen::Matrix<float, N1, C1>::Zero();
      for (int ch = 0; ch < C1; ++ch)
        for (int q = 0; q < N2; ++q) {
          const int at = 2 * (q / S2) * S1 + 2 * (q % S2) + (c.arg1(q, ch) >> 1) * S1 + (c.arg1(q, ch) & 1);
          if (c.a1(at, ch) > 0.0f) d(at, ch) = b.dz1(q, ch);
        }
      c.a1 = d;
    }
    bn_backward<C1>(B, [&](int j) -> auto& { return b.c[j].a1; }, [&](int j) -> auto& { return b.c[j].h1; }, g1, be1,
                    inv1);
    for (int j = 0; j < B; ++j) {
      w1.g.noalias() += b.c[j].p1.transpose() * b.c[j].a1;
      b1.g += b.c[j].a1.colwise().sum();
    }
    ++clock.t;
    w1.adam(clock), b1.adam(clock), g1.adam(clock), be1.adam(clock);
    w2.adam(clock), b2.adam(clock), g2.adam(clock), be2.adam(clock);
    wf.adam(clock), bf.adam(clock);
    return loss;
  }
};

struct Cnn2Runner {
  static constexpr int In = Cnn2::N1;
  std::unique_ptr<Cnn2> net;
  std::unique_ptr<Cnn2::Work> work = std::make_unique<Cnn2::Work>();
  std::unique_ptr<Cnn2::Batch<bench::nn::kCnnTrain>> train = std::make_unique<Cnn2::Batch<bench::nn::kCnnTrain>>();
  Mat<In, bench::nn::kCnnRing> ring = input_mat<In, bench::nn::kCnnRing>("CNN2.ring");
  Mat<In, bench::nn::kCnnBatch> batch = input_mat<In, bench::nn::kCnnBatch>("CNN2.batch");
  Mat<Cnn2::Out, bench::nn::kCnnBatch> batch_out;
  Mat<In, bench::nn::kCnnTrain> x = input_mat<In, bench::nn::kCnnTrain>("CNN2.x");
  std::vector<int> labels = bench::nn::labels("CNN2.labels", bench::nn::kCnnTrain, Cnn2::Out);

  explicit Cnn2Runner(const std::string& model) : net(std::make_unique<Cnn2>(model)) {}
  void w1(int i) {
    auto y = net->infer(ring.col(i), *work);
    benchmark::DoNotOptimize(y);
  }
  void w2() {
    net->infer_batch(batch, batch_out, *work);
    benchmark::DoNotOptimize(batch_out.data());
    benchmark::ClobberMemory();
  }
  float w3() { return net->step(x, labels, *train); }
  std::vector<float> outputs(bench::Workload w) {
    std::vector<float> v;
    if (w == bench::Workload::W1) {
      for (int i = 0; i < bench::nn::kCnnRing; ++i) {
        auto y = as_vector(net->infer(ring.col(i), *work));
        v.insert(v.end(), y.begin(), y.end());
      }
    } else if (w == bench::Workload::W2) {
      w2();
      v = as_vector(batch_out);
    } else {
      for (int k = 0; k < bench::nn::kNnCheckSteps; ++k) v.push_back(w3());
    }
    return v;
  }
};

}  // namespace

void register_yardstick_cnn() {
  bench::nn::register_cnn<Cnn1Runner>("eigen", "CNN1");
  bench::nn::register_cnn<Cnn2Runner>("eigen", "CNN2");
}
