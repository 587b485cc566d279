# tests/bench/lib.sh -- what the benchmarks share; sourced, not run.

# nginx_temp_paths NGINX DIR: the *_temp_path directives for DIR, only for
# the modules this nginx has (nginx-light lacks some): an unknown
# directive would refuse the configuration.
nginx_temp_paths() {
    local nginx=$1 dir=$2 m paths
    paths="client_body_temp_path $dir/nginx-body;"
    for m in proxy fastcgi uwsgi scgi; do
        "$nginx" -V 2>&1 | grep -q -- "--without-http_${m}_module" ||
            paths+=" ${m}_temp_path $dir/nginx-$m;"
    done
    printf '%s' "$paths"
}
