// A program that uses an installed ctnn through find_package(ctnn CONFIG REQUIRED).
#include <ctnn/ctnn.hpp>
#include <iostream>

int main() {
  ctnn::Sequential<ctnn::Linear<4, 8>, ctnn::ReLU, ctnn::Linear<8, 2>> net;
  const auto y = net(ctnn::Sample<float, 4>::Ones());
  std::cout << "consumer: output " << y.transpose() << "\n";
  return y.allFinite() ? 0 : 1;
}
