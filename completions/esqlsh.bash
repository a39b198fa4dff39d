# bash completion for esqlsh.
#
# Install: source this file from ~/.bashrc, or copy it to
# ~/.local/share/bash-completion/completions/esqlsh (bash-completion loads it
# on first use).
#
# Completes options, subcommands (load, serve), --format names, files after
# -f/--file, --config, --mapping, --tls-*, directories after --path, and cluster
# aliases after --server-side and `serve --cluster`. The aliases come from the
# configuration the command line names (--config/--path typed so far, else
# $ESQLSH_CONFIG, the user's config, the bundled demo) through
# `esqlsh --list-clusters`, which reads the file and contacts no cluster.
# tests/cli/test_completions.py keeps the lists below in step with the command.

_esqlsh_options='-q --query -f --file --format --path --param --config --explain
--include-ccs-metadata --server-side --no-header --timing --quiet -V --version -h --help'
_esqlsh_load_options='--path --index --mapping --replace -h --help'
_esqlsh_serve_options='--path --cluster --config --host --port --api-key --tls-cert
--tls-key --insecure-open --name --cluster-name --max-content-length -h --help'
_esqlsh_formats='table csv tsv json ndjson yaml markdown txt arrow'
_esqlsh_commands='load serve'
# Options that take a value: the word after one is not a subcommand.
_esqlsh_valued='-q --query -f --file --format --path --param --config --server-side
--index --mapping --cluster --host --port --api-key --tls-cert --tls-key --name
--cluster-name --max-content-length'

# The cluster aliases of the configuration named on the line so far.
_esqlsh_aliases() {
    local -a source=()
    local i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
        --config | --path)
            [[ -n "${COMP_WORDS[i + 1]}" ]] && source=("${COMP_WORDS[i]}" "${COMP_WORDS[i + 1]}")
            ;;
        esac
    done
    "${COMP_WORDS[0]}" "${source[@]}" --list-clusters 2>/dev/null
}

_esqlsh_files() {
    # -o filenames: directories get a trailing slash, names with spaces are quoted.
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen "$1" -- "$2")
}

_esqlsh() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local prev="${COMP_WORDS[COMP_CWORD - 1]}"
    # `--format=<Tab>` and `--format=cs<Tab>`: bash splits the word at `=`
    # (COMP_WORDBREAKS), so `=` is the current or the previous word.
    if [[ "$cur" == "=" ]]; then
        cur=""
    elif [[ "$prev" == "=" ]] && ((COMP_CWORD >= 2)); then
        prev="${COMP_WORDS[COMP_CWORD - 2]}"
    fi

    local command="" i word
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${COMP_WORDS[i]}"
        if [[ " $_esqlsh_commands " == *" $word "* ]]; then
            local before="${COMP_WORDS[i - 1]}"
            if [[ " ${_esqlsh_valued//$'\n'/ } " != *" $before "* ]]; then
                command="$word"
                break
            fi
        fi
    done

    case "$prev" in
    --format)
        mapfile -t COMPREPLY < <(compgen -W "$_esqlsh_formats" -- "$cur")
        return 0
        ;;
    -f | --file | --config | --mapping | --tls-cert | --tls-key)
        _esqlsh_files -f "$cur"
        return 0
        ;;
    --path)
        _esqlsh_files -d "$cur"
        return 0
        ;;
    --server-side | --cluster)
        mapfile -t COMPREPLY < <(compgen -W "$(_esqlsh_aliases)" -- "$cur")
        return 0
        ;;
    -q | --query | --param | --index | --host | --port | --api-key | --name | --cluster-name | --max-content-length)
        COMPREPLY=()
        return 0
        ;;
    esac

    case "$command" in
    load)
        if [[ "$cur" == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W "$_esqlsh_load_options" -- "$cur")
        else
            _esqlsh_files -f "$cur"
        fi
        ;;
    serve)
        mapfile -t COMPREPLY < <(compgen -W "$_esqlsh_serve_options" -- "$cur")
        ;;
    *)
        if [[ "$cur" == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W "$_esqlsh_options" -- "$cur")
        else
            mapfile -t COMPREPLY < <(compgen -W "$_esqlsh_commands" -- "$cur")
        fi
        ;;
    esac
    return 0
}

complete -F _esqlsh esqlsh
