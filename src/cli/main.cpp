#include "cli/app.hpp"

int main(int argc, char** argv) {
  return tollgate::cli::run(argc, argv);
}
