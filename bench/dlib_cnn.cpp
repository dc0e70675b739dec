// dlib's CNN1 and CNN2 (issue 12): its compile-time DNN (con_, bn_con, max_pool,
// avg_pool_everything, fc) and adam solver on the CPU. dlib's bn_con always normalises a batch
// of more than one sample with the batch's statistics, so inference (W1, W2) uses a second
// network type with `affine` in its place, assigned from the bn_con network, which folds the
// running statistics into a scale and shift (dlib's own way to make a test network).
#include <dlib/dnn.h>

#include <cmath>
#include <cstring>
#include <sstream>

#include "workloads_nn.hpp"

namespace {

using bench::nn::params;
using img = dlib::matrix<float>;
template <long N, long K1, long K2, long P, class S>
using conv = dlib::add_layer<dlib::con_<N, K1, K2, 1, 1, P, P>, S>;  // padding given: dlib's default is "same"

// CNN1 on a 1 x 128 image
using Cnn1 = dlib::loss_mean_squared_multioutput<dlib::fc<
    4, dlib::avg_pool_everything<dlib::relu<conv<32, 1, 5, 0, dlib::max_pool<1, 2, 1, 2, dlib::relu<conv<16, 1, 5, 0, dlib::input<img>>>>>>>>>;
// CNN2 on a 28 x 28 image: training (bn_con) and inference (affine) types
template <template <class> class Norm, class S>
using cnn2_block = dlib::max_pool<2, 2, 2, 2, dlib::relu<Norm<S>>>;
template <template <class> class Norm>
using Cnn2T = dlib::loss_multiclass_log<
    dlib::fc<10, cnn2_block<Norm, conv<16, 3, 3, 1, cnn2_block<Norm, conv<8, 3, 3, 1, dlib::input<img>>>>>>>;
using Cnn2Train = Cnn2T<dlib::bn_con>;
using Cnn2Eval = Cnn2T<dlib::affine>;

/// A convolution's parameters: PyTorch's (out, in, kh, kw) bytes are dlib's filter layout,
/// then the biases.
template <class L>
void set_conv(L& l, const bench::nn::Tensor& w, const bench::nn::Tensor& b) {
  auto& p = l.get_layer_params();
  if (p.size() != w.numel() + b.numel()) throw std::runtime_error("dlib con_: unexpected parameter size");
  std::memcpy(p.host(), w.v.data(), sizeof(float) * w.numel());
  std::memcpy(p.host() + w.numel(), b.v.data(), sizeof(float) * b.numel());
}
/// fc: (in + 1) x out row-major, W transposed, then b (as bench/dlib.cpp).
template <class L>
void set_fc(L& l, const bench::nn::Tensor& w, const bench::nn::Tensor& b) {
  auto& p = l.get_layer_params();
  const std::size_t out = w.shape[0], in = w.shape[1];
  if (p.size() != (in + 1) * out) throw std::runtime_error("dlib fc: unexpected parameter size");
  float* h = p.host();
  for (std::size_t o = 0; o < out; ++o) {
    for (std::size_t i = 0; i < in; ++i) h[i * out + o] = w.v[o * in + i];
    h[in * out + o] = b.v[o];
  }
}
/// bn_con: gamma, then beta.
template <class L>
void set_bn(L& l, const bench::nn::Tensor& g, const bench::nn::Tensor& b) {
  auto& p = l.get_layer_params();
  if (p.size() != g.numel() + b.numel()) throw std::runtime_error("dlib bn_con: unexpected parameter size");
  std::memcpy(p.host(), g.v.data(), sizeof(float) * g.numel());
  std::memcpy(p.host() + g.numel(), b.v.data(), sizeof(float) * b.numel());
}
/// bn_con's running statistics, which dlib exposes only through its serialisation: the layer
/// is written out, its running mean and variance replaced, and read back (field order of
/// dlib 19.24's bn_ serialize).
template <class L>
void set_bn_running(L& l, const bench::nn::Tensor& rm, const bench::nn::Tensor& rv) {
  std::stringstream in;
  serialize(l, in);
  std::string version;
  dlib::resizable_tensor params, means, invstds, running_means, running_variances;
  dlib::alias_tensor gamma, beta;
  unsigned long num_updates, window;
  double lr, wd, blr, bwd, eps;
  using dlib::deserialize;
  deserialize(version, in), deserialize(params, in), deserialize(gamma, in), deserialize(beta, in);
  deserialize(means, in), deserialize(invstds, in), deserialize(running_means, in), deserialize(running_variances, in);
  deserialize(num_updates, in), deserialize(window, in), deserialize(lr, in), deserialize(wd, in), deserialize(blr, in);
  deserialize(bwd, in), deserialize(eps, in);
  if (running_means.size() != rm.numel() || running_variances.size() != rv.numel())
    throw std::runtime_error("dlib bn_con: unexpected running statistics size");
  std::memcpy(running_means.host(), rm.v.data(), sizeof(float) * rm.numel());
  std::memcpy(running_variances.host(), rv.v.data(), sizeof(float) * rv.numel());
  std::stringstream out;
  using dlib::serialize;
  serialize(version, out), serialize(params, out), serialize(gamma, out), serialize(beta, out);
  serialize(means, out), serialize(invstds, out), serialize(running_means, out), serialize(running_variances, out);
  serialize(num_updates, out), serialize(window, out), serialize(lr, out), serialize(wd, out), serialize(blr, out);
  serialize(bwd, out), serialize(eps, out);
  deserialize(l, out);
}

std::vector<img> images(const std::string& key, int count, long rows, long cols) {
  const auto v = bench::nn::uniform(key, std::size_t(count) * rows * cols);
  std::vector<img> s(count, img(rows, cols));
  for (int j = 0; j < count; ++j)
    for (long r = 0; r < rows; ++r)
      for (long c = 0; c < cols; ++c) s[j](r, c) = v[(std::size_t(j) * rows + r) * cols + c];
  return s;
}

template <class Eval, class Train, class Label>
struct Runner {
  std::string name;
  std::unique_ptr<Eval> eval = std::make_unique<Eval>();
  std::unique_ptr<Train> train;
  std::vector<dlib::resizable_tensor> ring;
  dlib::resizable_tensor batch, x;
  std::vector<Label> t;
  std::vector<dlib::adam> solvers;
  long rows, cols;

  explicit Runner(const std::string& model) : name(model) {
    const bool one = model == "CNN1";
    rows = one ? 1 : bench::nn::kCnn2Side;
    cols = one ? bench::nn::kCnn1In : bench::nn::kCnn2Side;
    auto r = images(model + ".ring", bench::nn::kCnnRing, rows, cols);
    if constexpr (std::is_same_v<Eval, Train>) {
      (*eval)(r[0]);  // dlib sizes its parameters on the first forward
      load_train(*eval);
    } else {
      // as dlib's examples make a test network: a trained one (bn_con) assigned to the type
      // with affine layers, which fold the running statistics into a scale and shift
      Train trained;
      trained(r[0]);
      load_train(trained);
      const auto& p = params(name);
      set_bn_running(dlib::layer<4>(trained).layer_details(), p[10], p[11]);
      set_bn_running(dlib::layer<8>(trained).layer_details(), p[4], p[5]);
      *eval = trained;
    }
    ring.resize(r.size());
    for (std::size_t j = 0; j < r.size(); ++j) eval->to_tensor(&r[j], &r[j] + 1, ring[j]);
    auto b = images(model + ".batch", bench::nn::kCnnBatch, rows, cols);
    eval->to_tensor(b.begin(), b.end(), batch);
  }

  void load_train(Train& net) {
    const auto& p = params(name);
    if constexpr (std::is_same_v<Train, Cnn1>) {
      set_fc(dlib::layer<1>(net).layer_details(), p[4], p[5]);
      set_conv(dlib::layer<4>(net).layer_details(), p[2], p[3]);
      set_conv(dlib::layer<7>(net).layer_details(), p[0], p[1]);
    } else {
      set_fc(dlib::layer<1>(net).layer_details(), p[12], p[13]);
      set_bn(dlib::layer<4>(net).layer_details(), p[8], p[9]);
      set_conv(dlib::layer<5>(net).layer_details(), p[6], p[7]);
      set_bn(dlib::layer<8>(net).layer_details(), p[2], p[3]);
      set_conv(dlib::layer<9>(net).layer_details(), p[0], p[1]);
    }
  }

  void w1(int i) { benchmark::DoNotOptimize(eval->forward(ring[i]).host()); }
  void w2() { benchmark::DoNotOptimize(eval->forward(batch).host()); }
  float w3() {
    if (!train) {  // built on the first step (untimed: the benchmark's restart calls it)
      train = std::make_unique<Train>();
      auto xs = images(name + ".x", bench::nn::kCnnTrain, rows, cols);
      train->to_tensor(xs.begin(), xs.end(), x);
      if constexpr (std::is_same_v<Label, unsigned long>) {
        for (int l : bench::nn::labels("CNN2.labels", bench::nn::kCnnTrain, bench::nn::kCnn2Classes)) t.push_back(l);
      } else {
        const auto tv = bench::nn::uniform("CNN1.t", std::size_t(bench::nn::kCnn1Out) * bench::nn::kCnnTrain);
        for (int j = 0; j < bench::nn::kCnnTrain; ++j) {
          dlib::matrix<float> m(bench::nn::kCnn1Out, 1);
          for (long o = 0; o < bench::nn::kCnn1Out; ++o) m(o) = tv[std::size_t(j) * bench::nn::kCnn1Out + o];
          t.push_back(m);
        }
      }
      (*train)(xs[0]);
      load_train(*train);
      solvers.assign(Train::num_computational_layers, dlib::adam(0.0f, 0.9f, 0.999f));
    }
    const double loss = train->compute_parameter_gradients(x, t.begin());
    train->update_parameters(solvers, bench::kLr);
    // dlib's multi-output squared loss sums over outputs; PyTorch's MSELoss averages
    return std::is_same_v<Label, unsigned long> ? float(loss) : float(loss / bench::nn::kCnn1Out);
  }

  static std::vector<float> copy(const dlib::tensor& y) { return std::vector<float>(y.host(), y.host() + y.size()); }
  std::vector<float> outputs(bench::Workload w) {
    std::vector<float> v;
    if (w == bench::Workload::W1) {
      for (auto& r : ring) {
        auto y = copy(eval->forward(r));
        v.insert(v.end(), y.begin(), y.end());
      }
    } else if (w == bench::Workload::W2) {
      v = copy(eval->forward(batch));
    } else {
      for (int k = 0; k < bench::nn::kNnCheckSteps; ++k) v.push_back(w3());
    }
    return v;
  }
};

}  // namespace

void register_dlib_cnn() {
  // dlib's training agrees only roughly (as for nets A-E): its squared loss is summed over
  // outputs, so Adam's eps weighs differently
  bench::nn::register_cnn<Runner<Cnn1, Cnn1, dlib::matrix<float>>>("dlib", "CNN1", 5e-2f);
  bench::nn::register_cnn<Runner<Cnn2Eval, Cnn2Train, unsigned long>>("dlib", "CNN2", 5e-2f);
}
