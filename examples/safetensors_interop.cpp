// PyTorch -> ctnn -> PyTorch: loads the safetensors file train.py wrote with PyTorch
// (examples/embedded/tiny_net.safetensors), checks its outputs against PyTorch's, saves it
// back in a form PyTorch's load_state_dict(strict=True) accepts, and shows what a file made
// for another architecture does. Returns 1 if any check fails.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <ctnn/ctnn.hpp>

#include "embedded/pytorch_outputs.hpp"  // PyTorch's outputs of the trained net (train.py)

namespace fs = std::filesystem;

int main() {
  const fs::path here = fs::path(__FILE__).parent_path();
  const fs::path pytorch_file = here / "embedded" / "tiny_net.safetensors";
  const fs::path out = fs::temp_directory_path() / "ctnn_example_tiny_net.safetensors";

  // --8<-- [start:load]
  // nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))
  using TinyNet = ctnn::Sequential<ctnn::Linear<2, 16>, ctnn::Tanh, ctnn::Linear<16, 16>, ctnn::Tanh,
                                   ctnn::Linear<16, 1>>;
  TinyNet net;
  ctnn::load_safetensors(net, pytorch_file);  // strict, as load_state_dict(strict=True)
  // --8<-- [end:load]

  double worst = 0;
  for (int i = 0; i < pytorch::count; ++i) {
    const ctnn::Sample<float, 2> x{pytorch::inputs[i][0], pytorch::inputs[i][1]};
    worst = std::fmax(worst, std::fabs(static_cast<double>(net.infer(x)(0)) - pytorch::outputs[i]));
  }
  std::printf("loaded %s: largest difference from PyTorch %.3g\n", pytorch_file.filename().c_str(), worst);
  bool ok = worst <= 1e-6;

  // --8<-- [start:save]
  ctnn::save_safetensors(net, out);  // "0.weight" (16, 2), "0.bias" (16), ... + the architecture
  // --8<-- [end:save]

  // --8<-- [start:mismatch]
  using Wider = ctnn::Sequential<ctnn::Linear<2, 32>, ctnn::Tanh, ctnn::Linear<32, 16>, ctnn::Tanh,
                                 ctnn::Linear<16, 1>>;
  Wider wider;
  try {
    ctnn::load_safetensors(wider, out);
  } catch (const ctnn::Error& e) {  // the model is left exactly as it was
    std::cout << e.what() << "\n";
  }
  // --8<-- [end:mismatch]

  // --8<-- [start:non_strict]
  // Take the layers that exist here, report the rest (load_state_dict(strict=False)).
  using Features = ctnn::Sequential<ctnn::Linear<2, 16>, ctnn::Tanh, ctnn::Linear<16, 16>, ctnn::Tanh>;
  Features features;
  const ctnn::LoadResult report = ctnn::load_safetensors(features, out, {.strict = false});
  for (const std::string& name : report.unexpected_keys) std::cout << "skipped " << name << "\n";
  // --8<-- [end:non_strict]
  ok = ok && report.unexpected_keys == std::vector<std::string>{"4.bias", "4.weight"} && report.missing_keys.empty() &&
       !report.architecture_matches && features.get<2>().weight.value == net.get<2>().weight.value;
  // --8<-- [end:non_strict]

  const auto file = ctnn::SafetensorsFile::read(out);
  ok = ok && file.metadata("ctnn.architecture") == std::string(ctnn::architecture<TinyNet>);
  fs::remove(out);
  return ok ? 0 : 1;
}
