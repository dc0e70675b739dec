// A network trained in PyTorch (train.py), compiled into this program by ctnn-embed: no
// weights file and no parser at run time. Checks that it computes what PyTorch computed for
// the same inputs, within 1e-6 (returns 1 otherwise).
#include <cmath>
#include <cstdio>

#include "pytorch_outputs.hpp"  // written by train.py

// --8<-- [start:use]
#include "tiny_net.hpp"        // generated at build time: ctnn-embed tiny_net.safetensors tiny_net.hpp

int main() {
  static const tiny_net::model_type net = tiny_net::make();  // weights from constant arrays
  // --8<-- [end:use]
  double worst = 0;
  for (int i = 0; i < pytorch::count; ++i) {
    const ctnn::Sample<float, 2> x{pytorch::inputs[i][0], pytorch::inputs[i][1]};
    const auto y = net.infer(x);
    worst = std::fmax(worst, std::fabs(static_cast<double>(y(0)) - pytorch::outputs[i]));
  }
  std::printf("embedded tiny_net: %d inputs, largest difference from PyTorch %.3g\n", pytorch::count, worst);
  return worst <= 1e-6 ? 0 : 1;
}
