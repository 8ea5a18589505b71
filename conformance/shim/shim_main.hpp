// The reference shim's program (shim_main.cpp), callable from more than one executable: the
// reference shim itself, and the mutant shims of the tests, which link the same program against a
// protocol library with one defect switched on (conformance/tests/mutant_shims/).
#pragma once

namespace tfqkd::conformance::shim {

int main(int argc, char** argv);

}  // namespace tfqkd::conformance::shim
