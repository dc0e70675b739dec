// ctnn's GRU and LSTM steps, sequence training and the streamed causal Conv1d stack (issue
// 13) in the benchmark, cross-checked against the yardstick before timing. Built by default
// except in the Test build type (bench/CMakeLists.txt, CTNN_BENCH_CTNN_RNN).
#include <utility>

#include "ctnn_nn_load.hpp"
#include "workloads_nn.hpp"

namespace {

// ---- one-sample streaming steps: net.step(x) on a 1 x 1 block (SPEC.md's streaming protocol)
// A recurrent layer binds to a (T, F) sample; streaming does not use T (any T streams the same).
template <int H>
using GruNet = ctnn::with_input<ctnn::Sequential<ctnn::GRU<1, H>, ctnn::Linear<H, 1>>, 1, 1>;
template <int H>
using LstmNet = ctnn::with_input<ctnn::Sequential<ctnn::LSTM<1, H>, ctnn::Linear<H, 1>>, 1, 1>;

template <class Net>
struct StreamRunner {
  std::unique_ptr<Net> net = std::make_unique<Net>();
  std::vector<float> x = bench::nn::uniform("stream.x", bench::nn::kStreamRing);
  explicit StreamRunner(const std::string& model) {
    bench::nn::load_ctnn(*net, model);
    ctnn::reset_state(*net);
  }
  float step_value(float v) {
    Eigen::Matrix<float, 1, 1> in;
    in(0, 0) = v;
    return net->step(in)(0, 0);
  }
  void step(int i) { benchmark::DoNotOptimize(step_value(x[i])); }
  std::vector<float> outputs() {
    std::vector<float> v;
    for (int i = 0; i < bench::nn::kStreamCheck; ++i) v.push_back(step_value(x[i]));
    return v;
  }
};

// ---- sequence training: a sample is (T, F) = (32, 8), batch_first; Linear at every step ---------
constexpr int B = bench::nn::kSeqBatch, T = bench::nn::kSeqT, I = bench::nn::kSeqIn, H = bench::nn::kSeqHidden;
template <class Rnn>
using SeqNet = ctnn::with_input<ctnn::Sequential<Rnn, ctnn::Linear<H, 1>>, T, I>;

template <class Net>
struct SeqRunner {
  std::unique_ptr<Net> net = std::make_unique<Net>();
  ctnn::Matrix<float, T * I, B> x;  // "seq.x" (B, T, I): sample j's (T, I) elements in column j
  ctnn::Matrix<float, T, B> t;
  ctnn::MSELoss<> loss;
  ctnn::optim::Adam<Net> opt{*net, {.lr = bench::kLr}};
  explicit SeqRunner(const std::string& model) : x(T * I, B), t(T, B) {
    bench::nn::load_ctnn(*net, model);
    const auto xs = bench::nn::uniform("seq.x", std::size_t(B) * T * I), ts = bench::nn::uniform("seq.t", std::size_t(B) * T);
    std::copy(xs.begin(), xs.end(), x.data());
    std::copy(ts.begin(), ts.end(), t.data());
  }
  float w3() {
    opt.zero_grad();
    auto y = net->forward(x);
    const float l = loss(y, t);
    net->backward(loss.grad(y, t), ctnn::parameters_only);
    opt.step();
    return l;
  }
};

// ---- the dilated causal Conv1d stack with residual sums, blocks of 64 steps -----------------
template <int D>
using CausalBlock = ctnn::Residual<ctnn::Conv1d<16, 16, 3, ctnn::ConvOptions{.padding = ctnn::causal, .dilation = D}>>;
// A (16, 64) sample: the length only sizes sequence mode; streaming does not use it.
using Tcn = ctnn::with_input<ctnn::Sequential<CausalBlock<1>, CausalBlock<2>, CausalBlock<4>, CausalBlock<8>,
                                              CausalBlock<16>, CausalBlock<32>, CausalBlock<64>, CausalBlock<128>,
                                              CausalBlock<256>, CausalBlock<512>>,
                             bench::nn::kTcnChannels, bench::nn::kTcnBlock>;

struct TcnRunner {
  static constexpr int C = bench::nn::kTcnChannels, N = bench::nn::kTcnBlock;
  std::unique_ptr<Tcn> net = std::make_unique<Tcn>();
  std::vector<float> x = bench::nn::uniform("TCN.x", std::size_t(C) * N * bench::nn::kTcnBlocks);
  ctnn::Matrix<float, C, N> y;
  explicit TcnRunner(const std::string& model) {
    bench::nn::load_ctnn(*net, model);
    ctnn::reset_state(*net);
  }
  void step(int i) {
    y = net->step(Eigen::Map<const Eigen::Matrix<float, C, N>>(x.data() + std::size_t(i) * C * N));
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  std::vector<float> outputs() {
    std::vector<float> v;
    for (int i = 0; i < bench::nn::kTcnBlocks; ++i) {
      step(i);
      v.insert(v.end(), y.data(), y.data() + y.size());
    }
    return v;
  }
};

}  // namespace

void register_ctnn_rnn() {
  using bench::nn::register_stream;
  register_stream<StreamRunner<GruNet<8>>>("ctnn", "GRU8", "step", bench::nn::kStreamRing, 1);
  register_stream<StreamRunner<GruNet<16>>>("ctnn", "GRU16", "step", bench::nn::kStreamRing, 1);
  register_stream<StreamRunner<GruNet<32>>>("ctnn", "GRU32", "step", bench::nn::kStreamRing, 1);
  register_stream<StreamRunner<GruNet<64>>>("ctnn", "GRU64", "step", bench::nn::kStreamRing, 1);
  register_stream<StreamRunner<LstmNet<8>>>("ctnn", "LSTM8", "step", bench::nn::kStreamRing, 1);
  register_stream<StreamRunner<LstmNet<16>>>("ctnn", "LSTM16", "step", bench::nn::kStreamRing, 1);
  register_stream<StreamRunner<LstmNet<32>>>("ctnn", "LSTM32", "step", bench::nn::kStreamRing, 1);
  register_stream<StreamRunner<LstmNet<64>>>("ctnn", "LSTM64", "step", bench::nn::kStreamRing, 1);
  bench::nn::register_seq<SeqRunner<SeqNet<ctnn::GRU<I, H>>>>("ctnn", "GRUseq");
  bench::nn::register_seq<SeqRunner<SeqNet<ctnn::LSTM<I, H>>>>("ctnn", "LSTMseq");
  bench::nn::register_stream<TcnRunner>("ctnn", "TCN", "block64", bench::nn::kTcnBlocks, bench::nn::kTcnBlock);
}
