// Thin entry point: everything happens in run_app (src/app.cpp).
#include <coltec/app.hpp>

int main(int argc, char** argv) {
  return coltec::run_app(argc, argv);
}
