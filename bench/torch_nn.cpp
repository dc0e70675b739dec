// libtorch's CNN, RNN and streaming workloads (issues 12 and 13): eager mode, one thread, CPU,
// torch::InferenceMode for inference, as bench/torch.cpp does for nets A-E. Streaming is one
// forward call per step (per block for the convolution stack), the state carried in tensors,
// as a libtorch user would write it.
#include <torch/torch.h>

#include <map>

#include "workloads_nn.hpp"

namespace {

using bench::nn::params;

torch::Tensor tensor_of(const std::vector<float>& v, std::vector<int64_t> shape) {
  return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat32).clone();
}

std::vector<float> vector_of(const torch::Tensor& t) {
  auto c = t.contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

/// Copies bench::nn::params(model) into the module's parameters and buffers of the same
/// names (`strip`: a prefix the module's names lack).
void load(torch::nn::Module& m, const std::string& model, const std::string& strip = "") {
  torch::NoGradGuard no_grad;
  std::map<std::string, torch::Tensor> dst;
  for (auto& p : m.named_parameters()) dst[p.key()] = p.value();
  for (auto& b : m.named_buffers()) dst[b.key()] = b.value();
  for (const auto& t : params(model)) {
    std::string key = t.name.substr(0, strip.size()) == strip ? t.name.substr(strip.size()) : t.name;
    auto it = dst.find(key);
    if (it == dst.end()) throw std::runtime_error("bench torch_nn: no tensor " + key + " in " + model);
    it->second.copy_(tensor_of(t.v, std::vector<int64_t>(t.shape.begin(), t.shape.end())));
  }
}

// ---- CNN1, CNN2 ------------------------------------------------------------------------------
struct CnnRunner {
  torch::nn::Sequential model;
  bool classify;
  torch::Tensor batch, x, t;
  std::vector<torch::Tensor> ring;
  std::unique_ptr<torch::optim::Adam> opt;

  explicit CnnRunner(const std::string& name) : classify(name == "CNN2") {
    using namespace torch::nn;
    std::vector<int64_t> sample;
    if (name == "CNN1") {
      model = Sequential(Conv1d(1, 16, 5), ReLU(), MaxPool1d(2), Conv1d(16, 32, 5), ReLU(), AdaptiveAvgPool1d(1),
                         Flatten(), Linear(32, 4));
      sample = {1, bench::nn::kCnn1In};
    } else {
      model = Sequential(Conv2d(Conv2dOptions(1, 8, 3).padding(1)), BatchNorm2d(8), ReLU(), MaxPool2d(2),
                         Conv2d(Conv2dOptions(8, 16, 3).padding(1)), BatchNorm2d(16), ReLU(), MaxPool2d(2), Flatten(),
                         Linear(784, 10));
      sample = {1, bench::nn::kCnn2Side, bench::nn::kCnn2Side};
    }
    load(*model, name);
    model->eval();
    auto shape = [&](int n) {
      std::vector<int64_t> s{n};
      s.insert(s.end(), sample.begin(), sample.end());
      return s;
    };
    std::int64_t numel = 1;
    for (auto d : sample) numel *= d;
    auto r = tensor_of(bench::nn::uniform(name + ".ring", numel * bench::nn::kCnnRing), shape(bench::nn::kCnnRing));
    for (int i = 0; i < bench::nn::kCnnRing; ++i) ring.push_back(r[i].unsqueeze(0).clone());
    batch = tensor_of(bench::nn::uniform(name + ".batch", numel * bench::nn::kCnnBatch), shape(bench::nn::kCnnBatch));
    x = tensor_of(bench::nn::uniform(name + ".x", numel * bench::nn::kCnnTrain), shape(bench::nn::kCnnTrain));
    if (classify) {
      auto l = bench::nn::labels("CNN2.labels", bench::nn::kCnnTrain, bench::nn::kCnn2Classes);
      t = torch::tensor(std::vector<int64_t>(l.begin(), l.end()), torch::kInt64);
    } else {
      t = tensor_of(bench::nn::uniform("CNN1.t", std::size_t(bench::nn::kCnn1Out) * bench::nn::kCnnTrain),
                    {bench::nn::kCnnTrain, bench::nn::kCnn1Out});
    }
    opt = std::make_unique<torch::optim::Adam>(model->parameters(), torch::optim::AdamOptions(bench::kLr));
  }

  void w1(int i) {
    torch::InferenceMode guard;
    auto y = model->forward(ring[i]);
    benchmark::DoNotOptimize(y.data_ptr<float>());
  }
  void w2() {
    torch::InferenceMode guard;
    auto y = model->forward(batch);
    benchmark::DoNotOptimize(y.data_ptr<float>());
  }
  float w3() {
    if (!model->is_training()) model->train();
    opt->zero_grad();
    auto y = model->forward(x);
    auto loss = classify ? torch::nn::functional::cross_entropy(y, t) : torch::mse_loss(y, t);
    loss.backward();
    opt->step();
    return loss.item<float>();
  }
  std::vector<float> outputs(bench::Workload w) {
    std::vector<float> v;
    if (w == bench::Workload::W1) {
      torch::InferenceMode guard;
      for (auto& r : ring) {
        auto y = vector_of(model->forward(r));
        v.insert(v.end(), y.begin(), y.end());
      }
    } else if (w == bench::Workload::W2) {
      torch::InferenceMode guard;
      v = vector_of(model->forward(batch));
    } else {
      for (int k = 0; k < bench::nn::kNnCheckSteps; ++k) v.push_back(w3());
    }
    return v;
  }
};

template <class Rnn>
using Opts = std::conditional_t<std::is_same_v<Rnn, torch::nn::GRU>, torch::nn::GRUOptions, torch::nn::LSTMOptions>;

// ---- one-sample streaming steps: one forward call per step, state carried ---------------------
template <class Rnn>
struct StreamRunner {
  Rnn rnn{nullptr};
  torch::nn::Linear lin{nullptr};
  torch::Tensor xt, h, c;
  std::vector<float> x = bench::nn::uniform("stream.x", bench::nn::kStreamRing);

  explicit StreamRunner(const std::string& name) {
    const bool gru = name[0] == 'G';
    const int hidden = std::stoi(name.substr(gru ? 3 : 4));
    rnn = Rnn(Opts<Rnn>(1, hidden).batch_first(true));
    lin = torch::nn::Linear(hidden, 1);
    torch::nn::Module both;  // only to load "0.*" and "1.*" as the state_dict names them
    both.register_module("0", rnn);
    both.register_module("1", lin);
    load(both, name);
    rnn->eval();
    xt = torch::zeros({1, 1, 1});
    h = torch::zeros({1, 1, hidden});
    c = torch::zeros({1, 1, hidden});
  }
  float step_value(float v) {
    torch::InferenceMode guard;
    xt.data_ptr<float>()[0] = v;
    torch::Tensor out;
    if constexpr (std::is_same_v<Rnn, torch::nn::GRU>) {
      std::tie(out, h) = rnn->forward(xt, h);
    } else {
      std::tuple<torch::Tensor, torch::Tensor> hc;
      std::tie(out, hc) = rnn->forward(xt, std::make_tuple(h, c));
      std::tie(h, c) = hc;
    }
    return lin->forward(out).data_ptr<float>()[0];
  }
  void step(int i) { benchmark::DoNotOptimize(step_value(x[i])); }
  std::vector<float> outputs() {
    std::vector<float> v;
    for (int i = 0; i < bench::nn::kStreamCheck; ++i) v.push_back(step_value(x[i]));
    return v;
  }
};

// ---- sequence training -------------------------------------------------------------------------
template <class Rnn>
struct SeqRunner {
  Rnn rnn{nullptr};
  torch::nn::Linear lin{nullptr};
  torch::Tensor x, t;
  std::unique_ptr<torch::optim::Adam> opt;
  explicit SeqRunner(const std::string& name) {
    using namespace bench::nn;
    rnn = Rnn(Opts<Rnn>(kSeqIn, kSeqHidden).batch_first(true));
    lin = torch::nn::Linear(kSeqHidden, 1);
    torch::nn::Module both;
    both.register_module("0", rnn);
    both.register_module("1", lin);
    load(both, name);
    x = tensor_of(uniform("seq.x", std::size_t(kSeqBatch) * kSeqT * kSeqIn), {kSeqBatch, kSeqT, kSeqIn});
    t = tensor_of(uniform("seq.t", std::size_t(kSeqBatch) * kSeqT), {kSeqBatch, kSeqT, 1});
    opt = std::make_unique<torch::optim::Adam>(both.parameters(), torch::optim::AdamOptions(bench::kLr));
  }
  float w3() {
    opt->zero_grad();
    auto out = std::get<0>(rnn->forward(x));
    auto loss = torch::mse_loss(lin->forward(out), t);
    loss.backward();
    opt->step();
    return loss.template item<float>();
  }
};

// ---- the dilated causal Conv1d stack, one call per block of 64 --------------------------------
struct TcnRunner {
  std::vector<torch::nn::Conv1d> convs;
  std::vector<torch::Tensor> hist, blocks;
  torch::Tensor y;
  explicit TcnRunner(const std::string& name) {
    using namespace bench::nn;
    torch::nn::Module all;
    for (int l = 0; l < kTcnLayers; ++l) {
      convs.emplace_back(torch::nn::Conv1dOptions(kTcnChannels, kTcnChannels, kTcnKernel).dilation(tcn_dilation(l)));
      auto wrap = std::make_shared<torch::nn::Module>();  // "<l>.0.weight": a residual block around the conv (Residual(nn.Sequential))
      wrap->register_module("0", convs.back());
      all.register_module(std::to_string(l), wrap);
      hist.push_back(torch::zeros({1, kTcnChannels, 2 * tcn_dilation(l)}));
    }
    load(all, name);
    // steps are columns: (steps, 16) row-major, as (16, steps) per block
    auto xs = tensor_of(uniform("TCN.x", std::size_t(kTcnChannels) * kTcnBlock * kTcnBlocks),
                        {kTcnBlock * kTcnBlocks, kTcnChannels});
    for (int b = 0; b < kTcnBlocks; ++b) blocks.push_back(xs.narrow(0, b * kTcnBlock, kTcnBlock).t().unsqueeze(0).contiguous());
  }
  void step(int i) {
    torch::InferenceMode guard;
    torch::Tensor x = blocks[i];
    for (std::size_t l = 0; l < convs.size(); ++l) {
      auto in = torch::cat({hist[l], x}, 2);
      hist[l] = in.narrow(2, bench::nn::kTcnBlock, hist[l].size(2));
      x = x + convs[l]->forward(in);
    }
    y = x;
    benchmark::DoNotOptimize(y.data_ptr<float>());
  }
  std::vector<float> outputs() {
    std::vector<float> v;
    for (int i = 0; i < bench::nn::kTcnBlocks; ++i) {
      step(i);
      auto o = vector_of(y[0].t());  // back to steps as columns of 16
      v.insert(v.end(), o.begin(), o.end());
    }
    return v;
  }
};

}  // namespace

void register_torch_nn() {
  torch::set_num_threads(1);
  bench::nn::register_cnn<CnnRunner>("libtorch", "CNN1");
  bench::nn::register_cnn<CnnRunner>("libtorch", "CNN2");
  for (int h : bench::nn::kHiddens) {
    bench::nn::register_stream<StreamRunner<torch::nn::GRU>>("libtorch", "GRU" + std::to_string(h), "step",
                                                             bench::nn::kStreamRing, 1);
    bench::nn::register_stream<StreamRunner<torch::nn::LSTM>>("libtorch", "LSTM" + std::to_string(h), "step",
                                                              bench::nn::kStreamRing, 1);
  }
  bench::nn::register_seq<SeqRunner<torch::nn::GRU>>("libtorch", "GRUseq");
  bench::nn::register_seq<SeqRunner<torch::nn::LSTM>>("libtorch", "LSTMseq");
  bench::nn::register_stream<TcnRunner>("libtorch", "TCN", "block64", bench::nn::kTcnBlocks, bench::nn::kTcnBlock);
}
