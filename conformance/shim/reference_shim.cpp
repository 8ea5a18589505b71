// tfqkd-reference-shim: the reference shim executable (shim_main.cpp).
#include "shim_main.hpp"

int main(int argc, char** argv) { return tfqkd::conformance::shim::main(argc, argv); }
