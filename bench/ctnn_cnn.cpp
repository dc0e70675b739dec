// ctnn's CNN1 and CNN2 (issue 12) in the benchmark, cross-checked against the yardstick before
// timing. Built by default except in the Test build type (bench/CMakeLists.txt,
// CTNN_BENCH_CTNN_CNN).
#include <utility>

#include "ctnn_nn_load.hpp"
#include "workloads_nn.hpp"

namespace {

using Cnn1 = ctnn::with_input<ctnn::Sequential<ctnn::Conv1d<1, 16, 5>, ctnn::ReLU, ctnn::MaxPool1d<2>, ctnn::Conv1d<16, 32, 5>,
                                               ctnn::ReLU, ctnn::AdaptiveAvgPool1d<1>, ctnn::Flatten, ctnn::Linear<ctnn::any, 4>>,
                              1, 128>;
using Cnn2 = ctnn::with_input<
    ctnn::Sequential<ctnn::Conv2d<1, 8, 3, ctnn::ConvOptions{.padding = 1}>, ctnn::BatchNorm2d<8>, ctnn::ReLU, ctnn::MaxPool2d<2>,
                     ctnn::Conv2d<8, 16, 3, ctnn::ConvOptions{.padding = 1}>, ctnn::BatchNorm2d<16>, ctnn::ReLU,
                     ctnn::MaxPool2d<2>, ctnn::Flatten, ctnn::Linear<ctnn::any, 10>>,
    1, 28, 28>;

/// A sample's elements as PyTorch's row-major bytes, sample j in column j.
template <int R, int C>
ctnn::Matrix<float, R, C> input_mat(const std::string& key) {
  ctnn::Matrix<float, R, C> m(R, C);
  const auto v = bench::nn::uniform(key, std::size_t(R) * C);
  std::copy(v.begin(), v.end(), m.data());
  return m;
}
template <class M>
std::vector<float> as_vector(const M& m) {
  return std::vector<float>(m.data(), m.data() + m.size());
}

template <class Net, bool Classify>
struct Runner {
  static constexpr int In = Net::in_features, Out = Net::out_features;
  using Loss = std::conditional_t<Classify, ctnn::CrossEntropyLoss<>, ctnn::MSELoss<>>;
  using Target = std::conditional_t<Classify, Eigen::Matrix<std::int64_t, 1, bench::nn::kCnnTrain>,
                                    ctnn::Matrix<float, Out, bench::nn::kCnnTrain>>;
  std::unique_ptr<Net> net = std::make_unique<Net>();
  ctnn::Matrix<float, In, bench::nn::kCnnRing> ring;
  ctnn::Matrix<float, In, bench::nn::kCnnBatch> batch;
  ctnn::Matrix<float, In, bench::nn::kCnnTrain> x;
  ctnn::Matrix<float, Out, bench::nn::kCnnBatch> out;  // W2's output
  Target t;
  Loss loss;
  ctnn::optim::Adam<Net> opt{*net, {.lr = bench::kLr}};

  explicit Runner(const std::string& model)
      : ring(input_mat<In, bench::nn::kCnnRing>(model + ".ring")),
        batch(input_mat<In, bench::nn::kCnnBatch>(model + ".batch")),
        x(input_mat<In, bench::nn::kCnnTrain>(model + ".x")) {
    bench::nn::load_ctnn(*net, model);
    if constexpr (Classify) {
      const auto l = bench::nn::labels("CNN2.labels", bench::nn::kCnnTrain, bench::nn::kCnn2Classes);
      for (int j = 0; j < bench::nn::kCnnTrain; ++j) t(0, j) = l[j];
    } else {
      t = input_mat<Out, bench::nn::kCnnTrain>("CNN1.t");
    }
    ctnn::eval(*net);
  }
  void w1(int i) {
    auto y = std::as_const(*net).infer(ring.col(i));
    benchmark::DoNotOptimize(y);
  }
  // W2: batch inference without allocation, as docs/concepts.md gives it: infer_into the
  // caller's output, one sample at a time on the stack (infer on the batch would return each
  // large layer output as a heap matrix)
  void w2() {
    std::as_const(*net).infer_into(batch, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  float w3() {
    ctnn::train(*net);
    opt.zero_grad();
    auto y = net->forward(x);
    const float l = loss(y, t);
    net->backward(loss.grad(y, t), ctnn::parameters_only);  // as the yardstick: no input gradient
    opt.step();
    return l;
  }
  std::vector<float> outputs(bench::Workload w) {
    std::vector<float> v;
    if (w == bench::Workload::W1) {
      for (int i = 0; i < bench::nn::kCnnRing; ++i) {
        auto y = as_vector(std::as_const(*net).infer(ring.col(i)));
        v.insert(v.end(), y.begin(), y.end());
      }
    } else if (w == bench::Workload::W2) {
      w2();
      v = as_vector(out);
    } else {
      for (int k = 0; k < bench::nn::kNnCheckSteps; ++k) v.push_back(w3());
    }
    return v;
  }
};

}  // namespace

void register_ctnn_cnn() {
  bench::nn::register_cnn<Runner<Cnn1, false>>("ctnn", "CNN1");
  bench::nn::register_cnn<Runner<Cnn2, true>>("ctnn", "CNN2");
}
