// A GRU audio effect trained in PyTorch, run in real time with ctnn. examples/audio_effect.py
// trained nn.GRU(1, 16) + nn.Linear(16, 1) to imitate a distortion (low-pass, tanh waveshaper,
// low-pass; examples/audio_effect.hpp) and saved audio_effect_gru.safetensors and a test signal
// with PyTorch's output for it (audio_effect_test.safetensors). This program loads the weights,
// processes the test signal at 48 kHz in blocks of 64 samples as an audio callback would, checks
// the result against PyTorch's (max abs error < 1e-4, float), then times the same processing and
// prints the cost per sample and the real-time factor. Returns 1 if a check fails.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <ctnn/ctnn.hpp>

#include "audio_effect.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<float> read_f32(const ctnn::SafetensorsFile& file, const std::string& name) {
  const ctnn::TensorInfo* t = file.find(name);
  if (t == nullptr || t->dtype_name != "F32") throw std::runtime_error(file.source() + ": no F32 tensor '" + name + "'");
  std::vector<float> v(t->numel);
  std::memcpy(v.data(), file.data(*t).data(), v.size() * sizeof(float));
  return v;
}

}  // namespace

int main() {
  const fs::path here = fs::path(__FILE__).parent_path();

  // --8<-- [start:load]
  // class Model(nn.Module) with children "0" = nn.GRU(1, 16, batch_first=True), "1" = nn.Linear(16, 1)
  // with_input gives the sample's shape (T, 1) that sequence mode needs; step and process take
  // any number of time steps, so T is only the sequence length forward() would take.
  using Net = ctnn::with_input<ctnn::Sequential<ctnn::GRU<1, 16>, ctnn::Linear<16, 1>>, 64, 1>;
  Net net;
  ctnn::load_safetensors(net, here / "audio_effect_gru.safetensors");  // strict: every name and shape
  // --8<-- [end:load]

  const auto test = ctnn::SafetensorsFile::read(here / "audio_effect_test.safetensors");
  const std::vector<float> in = read_f32(test, "input"), expected = read_f32(test, "output");
  const int n = static_cast<int>(in.size());
  std::vector<float> out(in.size());

  // --8<-- [start:process]
  constexpr int block = 64;  // the audio callback's buffer size
  ctnn::reset_state(net);    // a zero state, as PyTorch's forward started from
  for (int t = 0; t < n; t += block) {
    const int len = std::min(block, n - t);
    net.process<block>(in.data() + t, out.data() + t, len);  // no allocation, no exception, no lock
  }
  // --8<-- [end:process]

  double worst = 0, err = 0, energy = 0;
  audio::Effect effect;
  for (int i = 0; i < n; ++i) {
    worst = std::max(worst, static_cast<double>(std::fabs(out[i] - expected[i])));
    const double target = effect(in[i]);
    err += (out[i] - target) * (out[i] - target);
    energy += target * target;
  }
  const double esr = err / energy;
  const bool same = worst < 1e-4;
  const bool imitates = esr < 0.01;
  std::printf("%d samples at 48 kHz in blocks of %d: largest difference from PyTorch %.3g (must be < 1e-4): %s\n", n,
              block, worst, same ? "ok" : "FAILED");
  std::printf("error-to-signal ratio against the effect itself: %.2e (must be < 0.01): %s\n", esr,
              imitates ? "ok" : "FAILED");

  // --8<-- [start:timing]
  // CPU time of processing the test signal over and over (at least 0.3 s), state carried.
  std::vector<float> buffer(in);
  long long samples = 0;
  const std::clock_t start = std::clock();
  double cpu = 0;
  do {
    for (int t = 0; t < n; t += block) net.process<block>(buffer.data() + t, buffer.data() + t, std::min(block, n - t));
    std::copy(in.begin(), in.end(), buffer.begin());
    samples += n;
    cpu = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
  } while (cpu < 0.3);
  const double ns_per_sample = cpu * 1e9 / static_cast<double>(samples);
  const double realtime = (static_cast<double>(samples) / audio::rate) / cpu;  // audio seconds per CPU second
  std::printf("GRU(1, 16) + Linear(16, 1), float: %.1f ns per sample, real-time factor %.0f (one core)\n",
              ns_per_sample, realtime);
  // --8<-- [end:timing]
  return same && imitates ? 0 : 1;
}
