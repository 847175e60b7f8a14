#!/usr/bin/env bash
# check_tutorial_pointers.sh: do the places the tutorials send a reader to exist?
#   1. every path under src/, tests/ or tutorials/ written in a tutorial, an exercise or
#      their READMEs names a file that exists (src/layers/activations.{h,cpp} names two);
#   2. in their text, "Class::name in src/file" and "Class::name (src/file" name something
#      that file holds: Class::name as written, or a class Class with a name in it (a
#      method defined in its class); "nn::" and "data::" prefixes are namespaces;
#   3. in the tables of tutorials/README.md (and of its translation tutorials/README.zh-CN.md),
#      every `function` written after a `file:` is
#      in that file. A bare file name (`dense.cpp`) is in the folder of the file named
#      before it in the same cell, else in the column's folder: src/reference/ for the
#      plain path, src/ for the fast path. `Class::method` must appear as written,
#      `ns::function` (a lower-case prefix, e.g. ref::) as the function's own name.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
problems=0
problem() { echo "$1"; problems=$((problems + 1)); }

# 1. Paths in the text.
docs=(tutorials/[0-9][0-9]_*.cpp tutorials/*.h tutorials/README.md tutorials/README.zh-CN.md tutorials/exercises/*.h tutorials/exercises/README.md
      tutorials/exercises/checks/*.cpp tutorials/exercises/solutions/*.h)
while IFS=: read -r file path; do
  # src/layers/activations.{h,cpp} -> src/layers/activations.h src/layers/activations.cpp
  if [[ $path =~ ^(.*)\{([^}]*)\}(.*)$ ]]; then
    IFS=, read -r -a alternatives <<<"${BASH_REMATCH[2]}"
    expanded=()
    for a in "${alternatives[@]}"; do expanded+=("${BASH_REMATCH[1]}$a${BASH_REMATCH[3]}"); done
  else
    expanded=("$path")
  fi
  for p in "${expanded[@]}"; do
    p=${p%.}  # a path at the end of a sentence
    compgen -G "$p" >/dev/null || problem "$file names $p, which does not exist"
  done
done < <(grep -oP '(?<![\w/.-])(src|tests|tutorials)/[\w./*{},-]*[\w*}]' "${docs[@]}" | sort -u)

# 2. "Name in src/file" in the text.
while IFS= read -r ref; do
  [[ $ref =~ ^([A-Za-z_:]+)(\(\))?\ (in\ |\()(src/.*)$ ]] || continue
  name=${BASH_REMATCH[1]} path=${BASH_REMATCH[4]}
  name=${name#nn::} name=${name#data::}
  [ -f "$path" ] || continue
  grep -qF -- "$name" "$path" && continue
  # A method defined inside its class (in a header): the class and the method's name.
  if [[ $name =~ ^([A-Za-z_]+)::([A-Za-z_]+)$ ]] && grep -qE "(class|struct) ${BASH_REMATCH[1]}\b" "$path" &&
     grep -qF -- "${BASH_REMATCH[2]}" "$path"; then continue; fi
  problem "the tutorials say $name is in $path; it is not"
done < <(grep -ohP '[A-Za-z_]+(::[A-Za-z_]+)+(\(\))? (in |\()src/[\w/.]+\.(cpp|h)' "${docs[@]}" | sort -u)

# 3. Functions in the README's tables (English and Chinese).
in_file() {  # in_file NAME FILE...: is the function NAME in one of the files?
  local want=$1
  shift
  [[ $want =~ ^[a-z_]+::(.*)$ ]] && want=${BASH_REMATCH[1]}
  grep -qF -- "$want" "$@" 2>/dev/null
}
for readme in tutorials/README.md tutorials/README.zh-CN.md; do
[ -f "$readme" ] || continue
while IFS= read -r row; do
  IFS='|' read -r -a cells <<<"$row"
  for col in "${!cells[@]}"; do
    case $col in 4) dir=src/reference ;; 5) dir=src ;; *) dir=. ;; esac
    files=()       # the files the next `function` must be in
    lastdir=""     # the folder of the last file named in this cell
    last=none      # what the previous item was: none, file or function
    cell=${cells[$col]}
    while [[ $cell =~ ^([^\`]*)\`([^\`]+)\`(.*)$ ]]; do
      before=${BASH_REMATCH[1]} item=${BASH_REMATCH[2]} cell=${BASH_REMATCH[3]}
      if [[ $item =~ \.(cpp|h|\{h,cpp\})$ ]]; then
        # `a.cpp`, `b.cpp`: one group of files; a file after a function starts a new group
        [ "$last" = file ] && [[ $before =~ ^,\ *$ ]] || files=()
        if [[ $item != */* ]]; then
          item=${lastdir:-$dir}/$item
        elif ! compgen -G "${item/\{h,cpp\}/h}" >/dev/null; then
          for base in "$dir" src; do compgen -G "$base/${item/\{h,cpp\}/h}" >/dev/null && { item=$base/$item; break; }; done
        fi
        item=${item#./}
        if [[ $item =~ ^(.*)\.\{h,cpp\}$ ]]; then found=("${BASH_REMATCH[1]}.h" "${BASH_REMATCH[1]}.cpp")
        else mapfile -t found < <(compgen -G "$item"); fi
        if [ ${#found[@]} -eq 0 ]; then problem "$readme: \`$item\` does not exist"; fi
        files+=("${found[@]}")
        lastdir=$(dirname "$item")
        last=file
      elif [[ $item =~ ^[A-Za-z_][A-Za-z0-9_:]*$ ]]; then
        # a function belongs to the files before it when it follows them with ":" or ", "
        if { [ "$last" = file ] && [[ $before =~ ^:\ *$ ]]; } || { [ "$last" = function ] && [[ $before =~ ^,\ *$ ]]; }; then
          if [ ${#files[@]} -gt 0 ] && ! in_file "$item" "${files[@]}"; then
            problem "$readme: \`$item\` is not in ${files[*]}"
          fi
          last=function
        else
          last=none files=()
        fi
      else
        last=none files=()
      fi
    done
  done
done < <(grep -E '^\| [^-#|]' "$readme" | grep -vE '^\| (idea in the chapter|书中的概念|中文术语) |^\| # ')
done

if [ $problems -eq 0 ]; then echo "every file and function the tutorials point at exists"; fi
exit $((problems > 0))
