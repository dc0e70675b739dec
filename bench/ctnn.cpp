// ctnn's networks A-E in the benchmark.
#include <ctnn/ctnn.hpp>

#include <cstdio>

#include "eigen_data.hpp"
#include "workloads.hpp"

namespace {

using NetA = ctnn::Sequential<ctnn::Linear<8, 128>, ctnn::ReLU, ctnn::Linear<128, 128>, ctnn::ReLU, ctnn::Linear<128, 1>>;
using NetB = ctnn::Sequential<ctnn::Linear<1, 8>, ctnn::Tanh, ctnn::Linear<8, 8>, ctnn::Tanh, ctnn::Linear<8, 1>>;
using NetC = ctnn::Sequential<ctnn::Linear<64, 8>, ctnn::ReLU, ctnn::Linear<8, 1>>;
using NetD = ctnn::Sequential<ctnn::Linear<16, 64>, ctnn::Tanh, ctnn::Linear<64, 64>, ctnn::Tanh,
                              ctnn::Linear<64, 64>, ctnn::Tanh, ctnn::Linear<64, 4>>;
using NetE = ctnn::Sequential<ctnn::Linear<1024, 1024>, ctnn::ReLU, ctnn::Linear<1024, 1024>>;

/// Copies the shared weights in: parameters() visits weight, bias of each Linear in order.
template <class Net>
void load(Net& net, char name) {
  const auto& w = bench::weights(name);
  std::size_t k = 0;
  ctnn::parameters(net, [&](auto& p) {
    const auto& src = k % 2 == 0 ? w[k / 2].W : w[k / 2].b;
    for (int r = 0; r < p.value.rows(); ++r)
      for (int c = 0; c < p.value.cols(); ++c) p.value(r, c) = src[std::size_t(r) * p.value.cols() + c];
    ++k;
  });
}

template <class Net>
struct Runner {
  static constexpr int In = Net::in_features, Out = Net::out_features;
  std::unique_ptr<Net> net = std::make_unique<Net>();
  bench::EigenData<In, Out> data;
  ctnn::MSELoss<> loss;
  ctnn::optim::Adam<Net> opt{*net, {.lr = bench::kLr}};

  explicit Runner(char name) : data(name) { load(*net, name); }

  void w1(int i) {
    auto y = std::as_const(*net).infer(data.ring.col(i));
    benchmark::DoNotOptimize(y);
  }
  float w1_dep(int i, float c) {
    ctnn::Sample<float, In> x = data.ring.col(i);
    x(0) += c;
    return std::as_const(*net).infer(x)(0);
  }
  void w2() {
    auto y = std::as_const(*net).infer(data.batch);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  float w3() {
    opt.zero_grad();
    auto y = net->forward(data.x);
    const float l = loss(y, data.t);
    net->backward(loss.grad(y, data.t), ctnn::parameters_only);  // as the yardstick: no input gradient
    opt.step();
    return l;
  }

  std::vector<float> outputs(bench::Workload w) {
    switch (w) {
      case bench::Workload::W1: {
        std::vector<float> v;
        for (int i = 0; i < bench::kRing; ++i) {
          auto y = bench::as_vector(std::as_const(*net).infer(data.ring.col(i)));
          v.insert(v.end(), y.begin(), y.end());
        }
        return v;
      }
      case bench::Workload::W2: return bench::as_vector(std::as_const(*net).infer(data.batch));
      case bench::Workload::W3:
        return bench::train_outputs(*this, [&] { return bench::as_vector(std::as_const(*net).infer(data.x)); });
    }
    return {};
  }
};

/// Prints what a model costs in memory, as ctnn::summary computes it at compile time: the
/// model object (parameters, gradients and activation buffers' handles) and the heap of
/// parameters past Eigen's stack limit, the activations kept for backward at the training
/// batch (heap, allocated on the first forward), and Adam's state.
template <class Net>
void print_sizes(char name) {
  constexpr auto s = ctnn::summary<Net, ctnn::optim::Adam<Net>>();
  static_assert(s.activations_known, "bench: every width of the benchmark's networks is known at compile time");
  std::printf("sizes: %c: sizeof(Net) %zu B + heap %zu B, activations at batch %d %lld B (heap, allocated on the first "
              "forward), sizeof(optim::Adam<Net>) %zu B + heap %zu B, %zu parameters\n",
              name, s.model_sizeof, s.model_heap_bytes, bench::kTrainBatch, s.activation_bytes(bench::kTrainBatch),
              s.optimizer_sizeof, s.optimizer_heap_bytes, s.total_params);
}

}  // namespace

void register_ctnn() {
  print_sizes<NetA>('A');
  print_sizes<NetB>('B');
  print_sizes<NetC>('C');
  print_sizes<NetD>('D');
  print_sizes<NetE>('E');
  bench::register_runner<Runner<NetA>>("ctnn", 'A');
  bench::register_runner<Runner<NetB>>("ctnn", 'B');
  bench::register_runner<Runner<NetC>>("ctnn", 'C');
  bench::register_runner<Runner<NetD>>("ctnn", 'D');
  bench::register_runner<Runner<NetE>>("ctnn", 'E');
}
