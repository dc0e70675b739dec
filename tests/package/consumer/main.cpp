// A program that uses ctnn as a user's project does (find_package or add_subdirectory): a model
// of its own, and weights compiled in by ctnn_embed_weights, which must be those of the file.
#include <ctnn/ctnn.hpp>
#include <iostream>

#include "tiny_net.hpp"  // generated at build time from TINY_NET

int main() {
  ctnn::Sequential<ctnn::Linear<4, 8>, ctnn::ReLU, ctnn::Linear<8, 2>> net;
  const auto y = net(ctnn::Sample<float, 4>::Ones());
  std::cout << "consumer: output " << y.transpose() << "\n";

  const tiny_net::model_type embedded = tiny_net::make();
  tiny_net::model_type loaded;
  ctnn::load_safetensors(loaded, TINY_NET);
  const ctnn::Batch<float, 2, 3> x{{-1.0f, 0.0f, 0.5f}, {2.0f, 0.25f, -0.75f}};
  const bool same = embedded.infer(x) == loaded.infer(x);
  std::cout << "consumer: embedded weights " << (same ? "equal" : "DIFFER FROM") << " the file's\n";
  return y.allFinite() && same ? 0 : 1;
}
