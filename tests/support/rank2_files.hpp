// The files ctnn writes for a model whose tensors are all 1-D or 2-D (a Linear<1, 8>, a user's
// layer with Parameter<float, 3, 2>, Parameter<float, 3>, Parameter<float, 4, 1, 2> and
// Buffer<float, 2>): its safetensors file and an Adam + StepLR checkpoint after two steps.
// tests/reference/data/ctnn_b400b91_{model,checkpoint}.safetensors are what this code wrote
// when compiled against ctnn at commit b400b91, before tensors of any rank: io_test.cpp checks
// that they still load, strictly, and that today's ctnn writes the same bytes. Uses only what
// that commit had; keep it so.
#pragma once

#include <cstddef>
#include <vector>

#include <ctnn/ctnn.hpp>
#include <ctnn/io/checkpoint.hpp>

namespace rank2_files {

/// A user's layer: no repr_name, so the architecture lists its tensors,
/// Custom(weight=Parameter(3,2),bias=Parameter(3),column=Parameter(4,1),scale=Buffer(2)).
struct Custom {
  BOOST_HANA_DEFINE_STRUCT(Custom, (ctnn::Parameter<float, 3, 2>, weight), (ctnn::Parameter<float, 3>, bias),
                           (ctnn::Parameter<float, 4, 1, 2>, column), (ctnn::Buffer<float, 2>, scale));
};

struct Model {
  BOOST_HANA_DEFINE_STRUCT(Model, (ctnn::Linear<1, 8>, lin), (Custom, custom));
};

using Opt = ctnn::optim::Adam<Model>;
using Sched = ctnn::optim::StepLR<Opt>;

/// The model, optimizer and scheduler of the files, deterministically filled and stepped.
struct Run {
  Model model;
  Opt opt{model, {.lr = 0.05, .amsgrad = true}};
  Sched sched{opt, 1, 0.5};

  Run() {
    ctnn::init::reset_parameters(model, 5);
    ctnn::Generator gen(9);
    ctnn::init::uniform_(model.custom, -1.0, 1.0, gen);
    model.custom.scale.value << 0.5f, -2.0f;
    for (int step = 0; step < 2; ++step) {
      ctnn::parameters(model, [step](auto& p) {
        for (Eigen::Index r = 0; r < p.grad.rows(); ++r)
          for (Eigen::Index c = 0; c < p.grad.cols(); ++c)
            p.grad(r, c) = static_cast<float>(0.01 * double(r + 1) - 0.02 * double(c) + 0.003 * step);
      });
      opt.step();
      sched.step();
    }
  }
};

inline std::vector<std::byte> model_file(const Run& run) { return ctnn::to_safetensors(run.model); }

inline std::vector<std::byte> checkpoint_file(Run& run) {
  return ctnn::detail::checkpoint_writer(run.model, run.opt, run.sched).bytes();
}

}  // namespace rank2_files
