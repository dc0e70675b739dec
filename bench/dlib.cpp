// dlib's networks A-E in the benchmark: its compile-time DNN (fc, relu, htan, mean-squared
// loss) and its adam solver, on the CPU.
#include <dlib/dnn.h>

#include <cstring>

#include "workloads.hpp"

namespace {

template <long In>
using in_t = dlib::input<dlib::matrix<float, In, 1>>;
using NetA = dlib::loss_mean_squared<dlib::fc<1, dlib::relu<dlib::fc<128, dlib::relu<dlib::fc<128, in_t<8>>>>>>>;
using NetB = dlib::loss_mean_squared<dlib::fc<1, dlib::htan<dlib::fc<8, dlib::htan<dlib::fc<8, in_t<1>>>>>>>;
using NetC = dlib::loss_mean_squared<dlib::fc<1, dlib::relu<dlib::fc<8, in_t<64>>>>>;
using NetD = dlib::loss_mean_squared_multioutput<
    dlib::fc<4, dlib::htan<dlib::fc<64, dlib::htan<dlib::fc<64, dlib::htan<dlib::fc<64, in_t<16>>>>>>>>>;
using NetE = dlib::loss_mean_squared_multioutput<dlib::fc<1024, dlib::relu<dlib::fc<1024, in_t<1024>>>>>;

/// dlib's fc keeps its parameters as an (in + 1) x out row-major block: W transposed, then b.
template <class Fc>
void set_fc(Fc& fc, const bench::LayerWeights& w) {
  auto& p = fc.get_layer_params();
  if (p.size() != std::size_t(w.in + 1) * w.out) throw std::runtime_error("dlib fc: unexpected parameter size");
  float* h = p.host();
  for (int o = 0; o < w.out; ++o) {
    for (int i = 0; i < w.in; ++i) h[std::size_t(i) * w.out + o] = w.W[std::size_t(o) * w.in + i];
    h[std::size_t(w.in) * w.out + o] = w.b[o];
  }
}

// Linear layer l (counted from the input) of n sits at dlib's index 1 + 2 (n - 1 - l).
template <std::size_t N, class Net, std::size_t... Ls>
void load(Net& net, const std::vector<bench::LayerWeights>& w, std::index_sequence<Ls...>) {
  (set_fc(dlib::layer<1 + 2 * (N - 1 - Ls)>(net).layer_details(), w[Ls]), ...);
}

template <class Net, long In, long Out, std::size_t Layers>
struct Runner {
  static constexpr bool multi = Out > 1;
  using sample_t = dlib::matrix<float, In, 1>;
  using label_t = std::conditional_t<multi, dlib::matrix<float>, float>;
  std::unique_ptr<Net> net = std::make_unique<Net>();
  std::vector<dlib::resizable_tensor> ring;
  dlib::resizable_tensor x_dep, batch, x;
  std::vector<label_t> t;
  std::vector<dlib::adam> solvers;

  static std::vector<sample_t> samples(const std::vector<float>& v, int count) {
    std::vector<sample_t> s(count);
    for (int j = 0; j < count; ++j)
      for (long i = 0; i < In; ++i) s[j](i) = v[std::size_t(j) * In + i];
    return s;
  }

  explicit Runner(char name) {
    auto r = samples(bench::inputs(name, bench::kRing), bench::kRing);
    (*net)(r[0]);  // dlib sizes its parameters on the first forward
    load<Layers>(*net, bench::weights(name), std::make_index_sequence<Layers>{});
    ring.resize(r.size());
    for (std::size_t j = 0; j < r.size(); ++j) net->to_tensor(&r[j], &r[j] + 1, ring[j]);
    x_dep = ring[0];
    auto b = samples(bench::inputs(name, bench::kBatch), bench::kBatch);
    net->to_tensor(b.begin(), b.end(), batch);
    auto xs = samples(bench::inputs(name, bench::kTrainBatch), bench::kTrainBatch);
    net->to_tensor(xs.begin(), xs.end(), x);
    const auto tv = bench::targets(name, bench::kTrainBatch);
    for (int j = 0; j < bench::kTrainBatch; ++j) {
      if constexpr (multi) {
        dlib::matrix<float> m(Out, 1);
        for (long o = 0; o < Out; ++o) m(o) = tv[std::size_t(j) * Out + o];
        t.push_back(m);
      } else {
        t.push_back(tv[j]);
      }
    }
    solvers.assign(Net::num_computational_layers, dlib::adam(0.0f, 0.9f, 0.999f));
  }

  void w1(int i) { benchmark::DoNotOptimize(net->forward(ring[i]).host()); }
  float w1_dep(int i, float c) {
    std::memcpy(x_dep.host_write_only(), ring[i].host(), sizeof(float) * In);
    x_dep.host()[0] += c;
    return net->forward(x_dep).host()[0];
  }
  void w2() { benchmark::DoNotOptimize(net->forward(batch).host()); }
  float w3() {
    const double loss = net->compute_parameter_gradients(x, t.begin());
    net->update_parameters(solvers, bench::kLr);
    // dlib's multi-output loss sums over outputs; PyTorch's MSELoss averages
    return float(loss / Out);
  }

  static std::vector<float> copy(const dlib::tensor& y) { return std::vector<float>(y.host(), y.host() + y.size()); }
  std::vector<float> outputs(bench::Workload w) {
    switch (w) {
      case bench::Workload::W1: {
        std::vector<float> v;
        for (auto& r : ring) {
          auto y = copy(net->forward(r));
          v.insert(v.end(), y.begin(), y.end());
        }
        return v;
      }
      case bench::Workload::W2: return copy(net->forward(batch));
      case bench::Workload::W3: return bench::train_outputs(*this, [&] { return copy(net->forward(x)); });
    }
    return {};
  }
};

}  // namespace

void register_dlib() {
  bench::register_runner<Runner<NetA, 8, 1, 3>>("dlib", 'A');
  bench::register_runner<Runner<NetB, 1, 1, 3>>("dlib", 'B');
  bench::register_runner<Runner<NetC, 64, 1, 2>>("dlib", 'C');
  bench::register_runner<Runner<NetD, 16, 4, 4>>("dlib", 'D');
  bench::register_runner<Runner<NetE, 1024, 1024, 2>>("dlib", 'E');
}
