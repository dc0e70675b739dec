/// @file The umbrella header: every public header of ctnn, nothing else.
#pragma once

#include "ctnn/core/error.hpp"
#include "ctnn/core/layer.hpp"
#include "ctnn/core/module.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/scalar.hpp"
#include "ctnn/core/sequential.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/init/generator.hpp"
#include "ctnn/init/reset.hpp"
#include "ctnn/layers/activations.hpp"
#include "ctnn/layers/centered.hpp"
#include "ctnn/layers/linear.hpp"
#include "ctnn/layers/pointwise.hpp"
#include "ctnn/layers/softmax.hpp"
#include "ctnn/testing/gradcheck.hpp"
