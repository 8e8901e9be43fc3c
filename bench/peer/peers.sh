# Shared by run.sh and run-samples.sh (sourced, not run): which BLAS PyTorch runs on, and one
# PyTorch peer run and comparison per library.

libs=/usr/lib/x86_64-linux-gnu

# default_blas NAME: prints blis if its OpenMP build is installed, else openblas, else system
# (with a warning on stderr naming the caller NAME).
default_blas() {
  if [[ -e $libs/blis-openmp/libblas.so.3 ]]; then echo blis
  elif [[ -e $libs/openblas-openmp/libblas.so.3 ]]; then echo openblas
  else
    echo "$1: no optimised BLAS for PyTorch; apt-get install libblis4-openmp (see README.md)" >&2
    echo system
  fi
}

# run_peers NAME SCRIPT TAG COMMAND [ARG...]: for each library in $blas, runs the PyTorch peer
# SCRIPT (peer.py, samples.py) with ARGs into $out/pytorch<TAG>-<blas>.json and compares it with
# $out/musicrnn/perf.json into $out/peer<TAG>-<blas>.md, titled COMMAND --blas <blas>; then copies
# the first library's files to the plain names and writes its comparison into perf.md.
# Needs $blas, $threads, $out and $here.
run_peers() {
  local name=$1 script=$2 tag=$3 command=$4 b dir
  shift 4
  for b in ${blas//,/ }; do
    case "$b" in
      blis) dir=$libs/blis-openmp ;;
      openblas) dir=$libs/openblas-openmp ;;
      system) dir= ;;
      *) echo "$name: --blas: expected blis, openblas or system, got $b" >&2; exit 2 ;;
    esac
    [[ -n $dir && ! -e $dir/libblas.so.3 ]] && { echo "$name: --blas $b: $dir/libblas.so.3 is not installed" >&2; exit 2; }
    echo "== $(date -u +%FT%TZ) uptime: $(uptime)"
    echo "== PyTorch ($b): /usr/bin/python3 $script $* --out $out/pytorch$tag-$b.json"
    # BLIS ignores OMP_NUM_THREADS and torch.set_num_threads; OpenBLAS's OpenMP build follows them.
    LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" OMP_NUM_THREADS=$threads BLIS_NUM_THREADS=$threads \
      /usr/bin/python3 "$here/$script" "$@" --out "$out/pytorch$tag-$b.json" 2> "$out/pytorch$tag-$b.log"
    /usr/bin/python3 "$here/compare.py" "$out/musicrnn/perf.json" "$out/pytorch$tag-$b.json" "$out/peer$tag-$b.md" \
      "$command --blas $b"
  done
  # The first library's results under the plain names, and its comparison in perf.md.
  local first=${blas%%,*}
  cp "$out/pytorch$tag-$first.json" "$out/pytorch$tag.json"
  cp "$out/peer$tag-$first.md" "$out/peer$tag.md"
  /usr/bin/python3 "$here/compare.py" "$out/musicrnn/perf.json" "$out/pytorch$tag.json" "$out/peer$tag.md" \
    "$command --blas $first" --into "$out/musicrnn/perf.md" > /dev/null
}

# musicrnn_cli ROOT: the built CLI if there is one, else `dotnet run` of the project, into the array musicrnn.
musicrnn_cli() {
  local binary="$1/src/MusicRnn.Cli/bin/Release/net10.0/MusicRnn.Cli"
  if [[ -x $binary ]]; then musicrnn=("$binary"); else musicrnn=(dotnet run --project "$1/src/MusicRnn.Cli" -c Release --); fi
}
