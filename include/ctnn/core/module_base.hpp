/// @file Defines ctnn::Module, an optional empty base for custom layers and models, as
/// `class MyNet(nn.Module)`. Nothing in ctnn requires it: parameters are found by reflection
/// and the Layer concept checks the rest. Deriving from it makes ctnn's functions found by
/// argument-dependent lookup for a type declared in the user's own namespace, so that
/// `std::cout << model` prints it (io/print.hpp) without `using ctnn::operator<<;`.
#pragma once

namespace ctnn {

struct Module {};

}  // namespace ctnn
