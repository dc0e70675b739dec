/// @file The inference header: what running a model needs (Sequential and the containers,
/// the MLP layers, the error hook, weights compiled in by ctnn-embed), and nothing that reads
/// files, prints, trains or draws random numbers at run time. It compiles with
/// -fno-exceptions -fno-rtti for a microcontroller (arm-none-eabi-g++) and needs no heap there
/// (docs/embedded.md).
///
/// The other layer families are headers of their own, each includable alone for inference
/// with the same guarantees: ctnn/layers/conv.hpp (Conv1d, Conv2d), pooling.hpp,
/// batchnorm.hpp, layernorm.hpp, groupnorm.hpp, recurrent.hpp (RNN, LSTM, GRU). They are left
/// out of this header so that a program running an MLP does not parse them: this header's
/// compile time is a target of its own (issue 11, docs/performance.md#compile-time).
#pragma once

#include "ctnn/core/buffer.hpp"
#include "ctnn/core/cached.hpp"
#include "ctnn/core/error.hpp"
#include "ctnn/core/layer.hpp"
#include "ctnn/core/module.hpp"
#include "ctnn/core/module_base.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/scalar.hpp"
#include "ctnn/core/sequential.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/shared.hpp"
#include "ctnn/core/streaming.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/io/embedded.hpp"
#include "ctnn/layers/activations.hpp"
#include "ctnn/layers/centered.hpp"
#include "ctnn/layers/concat.hpp"
#include "ctnn/layers/dropout.hpp"
#include "ctnn/layers/elementwise.hpp"
#include "ctnn/layers/flatten.hpp"
#include "ctnn/layers/linear.hpp"
#include "ctnn/layers/pointwise.hpp"
#include "ctnn/layers/prelu.hpp"
#include "ctnn/layers/residual.hpp"
#include "ctnn/layers/softmax.hpp"
