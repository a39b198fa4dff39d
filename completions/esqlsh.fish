# fish completion for esqlsh.
#
# Install: copy this file to ~/.config/fish/completions/esqlsh.fish
#
# Completes options, subcommands (load, serve), --format names, files and
# directories, and cluster aliases after --server-side and `serve --cluster`:
# `esqlsh --list-clusters` prints them from the configuration named on the line
# (--config/--path), else $ESQLSH_CONFIG, the user's config, the bundled demo; it
# reads the file and contacts no cluster.
# tests/cli/test_completions.py keeps the lists below in step with the command.

function __esqlsh_aliases
    set -l tokens (commandline -opc)
    set -l source
    for i in (seq 2 (count $tokens))
        switch $tokens[$i]
            case --config --path
                set -l next (math $i + 1)
                if test $next -le (count $tokens)
                    set source $tokens[$i] $tokens[$next]
                end
        end
    end
    $tokens[1] $source --list-clusters 2>/dev/null
end

set -l commands load serve
set -l formats table csv tsv json ndjson yaml markdown txt arrow

complete -c esqlsh -f

# esqlsh [OPTIONS]
set -l top "not __fish_seen_subcommand_from $commands"
complete -c esqlsh -n $top -s q -l query -x -d 'Run this ES|QL query and exit'
complete -c esqlsh -n $top -s f -l file -r -F -d 'Run the ES|QL query in FILE (- for stdin)'
complete -c esqlsh -n $top -l format -x -a "$formats" -d 'Output format of the result'
complete -c esqlsh -n $top -l path -x -a '(__fish_complete_directories)' -d 'Query the embedded cluster in this directory'
complete -c esqlsh -n $top -l param -x -d 'A query parameter ?NAME (NAME=VALUE)'
complete -c esqlsh -n $top -l config -r -F -d 'Clusters configuration (YAML)'
complete -c esqlsh -n $top -l explain -d 'Print the fragments and the coordinator plan; run nothing'
complete -c esqlsh -n $top -l include-ccs-metadata -d 'Add _clusters to json/yaml output'
complete -c esqlsh -n $top -l server-side -x -a '(__esqlsh_aliases)' -d 'Send the whole query to this elasticsearch cluster'
complete -c esqlsh -n $top -l no-header -d 'Leave out the header row'
complete -c esqlsh -n $top -l timing -d 'Print how long the query took (stderr)'
complete -c esqlsh -n $top -l quiet -d 'Do not print warnings or timing'
complete -c esqlsh -n $top -s V -l version -d 'Show the version and exit'
complete -c esqlsh -s h -l help -d 'Show the help and exit'
complete -c esqlsh -n "__fish_use_subcommand" -a load -d 'Load Parquet, NDJSON or CSV files into an index'
complete -c esqlsh -n "__fish_use_subcommand" -a serve -d 'Serve an embedded cluster with the Elasticsearch REST API'

# esqlsh load [OPTIONS] FILES...
set -l load "__fish_seen_subcommand_from load"
complete -c esqlsh -n $load -F
complete -c esqlsh -n $load -l path -x -a '(__fish_complete_directories)' -d 'Embedded cluster directory'
complete -c esqlsh -n $load -l index -x -d 'Name of the index to load into'
complete -c esqlsh -n $load -l mapping -r -F -d 'Elasticsearch mapping (JSON) of the index'
complete -c esqlsh -n $load -l replace -d 'Replace the index if it exists'

# esqlsh serve [OPTIONS]
set -l serve "__fish_seen_subcommand_from serve"
complete -c esqlsh -n $serve -l path -x -a '(__fish_complete_directories)' -d 'Embedded cluster directory to serve'
complete -c esqlsh -n $serve -l cluster -x -a '(__esqlsh_aliases)' -d 'Serve this embedded cluster of the configuration'
complete -c esqlsh -n $serve -l config -r -F -d 'Configuration file for --cluster'
complete -c esqlsh -n $serve -l host -x -d 'Address to listen on'
complete -c esqlsh -n $serve -l port -x -d 'Port to listen on'
complete -c esqlsh -n $serve -l api-key -x -d 'Accept requests carrying this API key'
complete -c esqlsh -n $serve -l tls-cert -r -F -d 'Serve HTTPS with this certificate (PEM)'
complete -c esqlsh -n $serve -l tls-key -r -F -d 'The certificate private key (PEM)'
complete -c esqlsh -n $serve -l insecure-open -d 'Allow serving without API keys beyond loopback'
complete -c esqlsh -n $serve -l name -x -d 'Node name'
complete -c esqlsh -n $serve -l cluster-name -x -d 'Cluster name'
complete -c esqlsh -n $serve -l max-content-length -x -d 'Largest request body accepted'
