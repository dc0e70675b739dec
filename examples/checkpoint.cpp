// Training checkpoints: 20 steps in one go equal 10 steps, a checkpoint, a fresh process's
// worth of new objects loading it, and 10 more steps, bit for bit. Returns 1 otherwise.
#include <cstdio>
#include <filesystem>
#include <memory>

#include <ctnn/ctnn.hpp>

namespace {

using Net = ctnn::Sequential<ctnn::Linear<3, 32>, ctnn::Tanh, ctnn::Linear<32, 1>>;
using Adam = ctnn::optim::Adam<Net>;

struct Run {
  Net net;
  Adam opt{net, {.lr = 1e-2}};
  ctnn::optim::StepLR<Adam> scheduler{opt, /*step_size=*/5, /*gamma=*/0.5};

  Run() { ctnn::init::reset_parameters(net, 2024); }

  void train(int steps) {
    ctnn::Generator gen(7);
    ctnn::Batch<float, 3, 64> x;
    for (auto& v : x.reshaped()) v = static_cast<float>(gen.uniform(-1, 1));
    const ctnn::Batch<float, 1, 64> y = x.colwise().squaredNorm();
    const ctnn::MSELoss loss;
    for (int i = 0; i < steps; ++i) {
      const auto y_pred = net.forward(x);
      opt.zero_grad();
      net.backward(loss.grad(y_pred, y));
      opt.step();
      scheduler.step();
    }
  }
};

}  // namespace

int main() {
  const auto path = std::filesystem::temp_directory_path() / "ctnn_example_checkpoint.safetensors";
  auto straight = std::make_unique<Run>();
  straight->train(20);

  auto first = std::make_unique<Run>();
  first->train(10);
  Net& net = first->net;
  Adam& opt = first->opt;
  auto& scheduler = first->scheduler;
  // --8<-- [start:save]
  ctnn::save_checkpoint(path, net, opt, scheduler);  // "model.0.weight", "optimizer.state.0.exp_avg", ...
  // --8<-- [end:save]

  auto resumed = std::make_unique<Run>();  // new objects, as in a new process
  {
    Net& net = resumed->net;
    Adam& opt = resumed->opt;
    auto& scheduler = resumed->scheduler;
    // --8<-- [start:load]
    ctnn::load_checkpoint(path, net, opt, scheduler);  // all or nothing; throws ctnn::Error
    // --8<-- [end:load]
  }
  resumed->train(10);
  std::filesystem::remove(path);

  bool same = true;
  ctnn::named_parameters(straight->net, [&](std::string_view name, auto& p) {
    ctnn::named_parameters(resumed->net, [&](std::string_view other, auto& q) {
      if constexpr (std::is_same_v<decltype(p.value), decltype(q.value)>)
        if (name == other) same = same && p.value == q.value;
    });
  });
  same = same && resumed->opt.lr() == straight->opt.lr();
  std::printf("20 steps straight %s 10 + checkpoint + 10 (lr %g)\n", same ? "==" : "!=", resumed->opt.lr());
  return same ? 0 : 1;
}
