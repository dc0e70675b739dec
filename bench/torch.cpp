// libtorch's networks A-E in the benchmark (eager mode, one thread, CPU; BLAS is the system's,
// OpenBLAS when bench/run.sh installed it).
#include <torch/torch.h>

#include "workloads.hpp"

namespace {

torch::Tensor tensor_of(const std::vector<float>& v, int rows, int cols) {
  return torch::from_blob(const_cast<float*>(v.data()), {rows, cols}, torch::kFloat32).clone();
}

std::vector<float> vector_of(const torch::Tensor& t) {
  auto c = t.contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

struct Runner {
  torch::nn::Sequential model;
  std::vector<torch::Tensor> ring;
  torch::Tensor x_dep, batch, x, t;
  std::unique_ptr<torch::optim::Adam> opt;

  explicit Runner(char name) {
    const auto& s = bench::spec(name);
    const auto& w = bench::weights(name);
    torch::NoGradGuard no_grad;
    for (std::size_t l = 0; l < w.size(); ++l) {
      torch::nn::Linear lin(w[l].in, w[l].out);
      lin->weight.copy_(tensor_of(w[l].W, w[l].out, w[l].in));
      lin->bias.copy_(tensor_of(w[l].b, 1, w[l].out).view({w[l].out}));
      model->push_back(lin);
      if (l + 1 < w.size()) {
        if (s.act == bench::Act::relu) model->push_back(torch::nn::ReLU());
        else model->push_back(torch::nn::Tanh());
      }
    }
    const int in = s.widths.front(), out = s.widths.back();
    auto all = tensor_of(bench::inputs(name, bench::kRing), bench::kRing, in);
    for (int i = 0; i < bench::kRing; ++i) ring.push_back(all[i].unsqueeze(0).clone());
    x_dep = ring[0].clone();
    batch = tensor_of(bench::inputs(name, bench::kBatch), bench::kBatch, in);
    x = tensor_of(bench::inputs(name, bench::kTrainBatch), bench::kTrainBatch, in);
    t = tensor_of(bench::targets(name, bench::kTrainBatch), bench::kTrainBatch, out);
    opt = std::make_unique<torch::optim::Adam>(model->parameters(), torch::optim::AdamOptions(bench::kLr));
  }

  void w1(int i) {
    torch::InferenceMode guard;
    auto y = model->forward(ring[i]);
    benchmark::DoNotOptimize(y.data_ptr<float>());
  }
  float w1_dep(int i, float c) {
    torch::InferenceMode guard;
    x_dep.copy_(ring[i]);
    x_dep.data_ptr<float>()[0] += c;
    return model->forward(x_dep).data_ptr<float>()[0];
  }
  void w2() {
    torch::InferenceMode guard;
    auto y = model->forward(batch);
    benchmark::DoNotOptimize(y.data_ptr<float>());
  }
  float w3() {
    opt->zero_grad();
    auto loss = torch::mse_loss(model->forward(x), t);
    loss.backward();
    opt->step();
    return loss.item<float>();
  }

  std::vector<float> outputs(bench::Workload w) {
    switch (w) {
      case bench::Workload::W1: {
        torch::InferenceMode guard;
        std::vector<float> v;
        for (auto& r : ring) {
          auto y = vector_of(model->forward(r));
          v.insert(v.end(), y.begin(), y.end());
        }
        return v;
      }
      case bench::Workload::W2: {
        torch::InferenceMode guard;
        return vector_of(model->forward(batch));
      }
      case bench::Workload::W3:
        return bench::train_outputs(*this, [&] {
          torch::NoGradGuard g;
          return vector_of(model->forward(x));
        });
    }
    return {};
  }
};

}  // namespace

void register_torch() {
  torch::set_num_threads(1);
  for (char net : bench::kNets) bench::register_runner<Runner>("libtorch", net);
}
