#!/usr/bin/env bash
# check_translations.sh: do the Chinese READMEs (README.zh-CN.md, tutorials/README.zh-CN.md)
# still say where things are as the English ones do? For each pair:
#   1. every path the English README cites (in `backquotes` or as a link target) that exists
#      in the repository is cited in the Chinese one too;
#   2. every path the Chinese README cites exists, or is one the English README cites as well
#      (a file the build writes, such as build/libnn.a);
#   3. every library name the English README writes as `Name::name` is in the Chinese one,
#      and every `Name::name` of the Chinese one is in src/ or tests/;
#   4. the English README links to its translation.
# And for the tutorials: every tutorials/NN_*.cpp is listed, as `NN_name`, in both
# tutorials/README.md and tutorials/README.zh-CN.md, and every `NN_name` the Chinese one
# writes is a tutorial; the Chinese tutorials README keeps the chapter's terms.
# A path resolves from the repository root, from the README's folder, or (a bare file name
# in the tutorials table, e.g. `dense.cpp`) from src/ and src/reference/ or anywhere in src/.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
problems=0
problem() { echo "$1"; problems=$((problems + 1)); }

# path_tokens FILE: the paths FILE cites, one a line: `code` that looks like a path (has a
# "/" or a file extension) and link targets "](...)" that are not web addresses.
path_tokens() {
  {
    grep -oP '`[^`\n]+`' "$1" | tr -d '`' | grep -P '^[\w./{},*<>+-]+$' |
      grep -P '/|\.(cpp|h|md|sh|json|a|pc|npz|nnz|onnx|svg|cmake|txt)$'
    grep -oP '\]\(\K[^)#\s]+(?=\))' "$1" | grep -vP '^[a-z]+:'
  } | sort -u
}

# symbol_tokens FILE: `Name::name` written in FILE (arguments after "(" dropped)
symbol_tokens() {
  grep -oP '`[^`\n]+`' "$1" | tr -d '`' | sed 's/(.*$//' | grep -P '^[A-Za-z_]\w*(::[A-Za-z_~]\w*)+$' | sort -u
}

# resolves PATH DIR: does PATH (as a README in DIR writes it) name something in the repository?
resolves() {
  local path=$1 dir=$2 candidates=() p base
  [[ $path == *'<'* ]] && return 1  # a pattern such as tests/test_<unit>.cpp
  if [[ $path =~ ^(.*)\{([^}]*)\}(.*)$ ]]; then  # src/layers/activations.{h,cpp}: each must exist
    local alternatives a head=${BASH_REMATCH[1]} tail=${BASH_REMATCH[3]}
    IFS=, read -r -a alternatives <<<"${BASH_REMATCH[2]}"
    for a in "${alternatives[@]}"; do resolves "$head$a$tail" "$dir" || return 1; done
    return 0
  fi
  for base in . "$dir" src src/reference; do
    p=${path#/}
    [[ $path == /* ]] && continue
    if [[ $p == *[*?[]* ]]; then compgen -G "$base/${p%/}" >/dev/null && return 0  # a glob: src/losses/*.cpp
    else [ -e "$base/$p" ] && return 0; fi
  done
  [[ $path != */* ]] && [ -n "$(find src -name "$path" -print -quit)" ] && return 0
  return 1
}

check_pair() {  # check_pair ENGLISH CHINESE
  local en=$1 zh=$2 dir t
  dir=$(dirname "$en")
  if [ ! -f "$zh" ]; then problem "$zh is missing (the translation of $en)"; return; fi
  grep -qF "$(basename "$zh")" "$en" || problem "$en does not link to its translation $(basename "$zh")"
  local en_paths zh_paths
  en_paths=$(path_tokens "$en")
  zh_paths=$(path_tokens "$zh")
  while IFS= read -r t; do
    [ -n "$t" ] || continue
    [ "$t" = "$(basename "$zh")" ] && continue  # the link to the translation itself
    resolves "$t" "$dir" || continue
    grep -qxF -- "$t" <<<"$zh_paths" || problem "$zh does not cite \`$t\`, which $en cites"
  done <<<"$en_paths"
  while IFS= read -r t; do
    [ -n "$t" ] || continue
    resolves "$t" "$dir" && continue
    grep -qxF -- "$t" <<<"$en_paths" && continue
    problem "$zh cites \`$t\`, which does not exist (and $en does not cite it)"
  done <<<"$zh_paths"
  local zh_symbols name
  zh_symbols=$(symbol_tokens "$zh")
  while IFS= read -r t; do
    [ -n "$t" ] || continue
    grep -qxF -- "$t" <<<"$zh_symbols" || problem "$zh does not name \`$t\`, which $en names"
  done < <(symbol_tokens "$en")
  while IFS= read -r t; do
    [ -n "$t" ] || continue
    name=$t
    while [[ $name =~ ^(nn|ref|layers|data|losses|optimizers|std)::(.*)$ ]]; do name=${BASH_REMATCH[2]}; done
    grep -rqF -- "$name" src tests || problem "$zh names \`$t\`, which is not in src/ or tests/"
  done <<<"$zh_symbols"
}

check_pair README.md README.zh-CN.md
check_pair tutorials/README.md tutorials/README.zh-CN.md

# The tutorials, in both tutorials READMEs.
for src in tutorials/[0-9][0-9]_*.cpp; do
  name=$(basename "$src" .cpp)
  for readme in tutorials/README.md tutorials/README.zh-CN.md; do
    [ -f "$readme" ] || continue
    grep -qF -- "\`$name\`" "$readme" || problem "$readme does not list the tutorial \`$name\` ($src)"
  done
done
if [ -f tutorials/README.zh-CN.md ]; then
  while IFS= read -r name; do
    [ -f "tutorials/$name.cpp" ] || problem "tutorials/README.zh-CN.md lists \`$name\`, but tutorials/$name.cpp does not exist"
  done < <(grep -oP '`\K[0-9][0-9]_\w+(?=`)' tutorials/README.zh-CN.md | sort -u)
  # The chapter's terms that the glossary maps to tutorial sections and library files.
  for term in 结构化数据 非结构化数据 多层感知器 前向传播 反向传播 损失函数 均方误差 交叉熵 优化器 学习率 \
              批次大小 全连接层 卷积 批归一化 Dropout; do
    grep -qF -- "$term" tutorials/README.zh-CN.md || problem "tutorials/README.zh-CN.md no longer has the term $term"
  done
fi

if [ $problems -eq 0 ]; then echo "the Chinese READMEs cite the same tutorials, files and names as the English ones"; fi
exit $((problems > 0))
