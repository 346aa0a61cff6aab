/*
 * dynconf.c - run-time broker settings (see dynconf.h): validation on a
 * scratch broker_config, application to the live one, the side effects
 * for settings other modules copied at start, and the overrides file.
 * @locality: event loop thread.
 */
#include "dynconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define DYN_MAX 32

/* The overrides in force and the static values they replaced. */
static struct {
    char *key[DYN_MAX];   /* canonical names */
    char *value[DYN_MAX]; /* current run-time value */
    char *stat[DYN_MAX];  /* the value before the first override */
    int n;
} D;

static int dyn_find(const char *canonical)
{
    for (int i = 0; i < D.n; i++)
        if (strcmp(D.key[i], canonical) == 0)
            return i;
    return -1;
}

int dynconf_is_set(const char *key)
{
    const char *c = config_canonical(key);
    return c && dyn_find(c) >= 0;
}

void dynconf_release(void)
{
    for (int i = 0; i < D.n; i++) {
        free(D.key[i]);
        free(D.value[i]);
        free(D.stat[i]);
    }
    D.n = 0;
}

static void dyn_path(broker *b, char *out, size_t outlen, const char *suffix)
{
    snprintf(out, outlen, "%s/config/broker-dynamic.properties%s",
             b->cfg->store_dir, suffix);
}

/* Writes every override; 0 or -1 (err set). */
static int dyn_persist(broker *b, char *err, size_t errlen)
{
    char path[4096], tmp[4100];
    dyn_path(b, path, sizeof path, "");
    dyn_path(b, tmp, sizeof tmp, ".tmp");
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    fprintf(f, "# Broker settings changed at run time (Kafka AlterConfigs, "
               "RocketMQ UPDATE_BROKER_CONFIG).\n# They override the "
               "properties file and the command line; written by "
               "ferry-broker.\n");
    for (int i = 0; i < D.n; i++)
        fprintf(f, "%s=%s\n", D.key[i], D.value[i]);
    int rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0) {
        snprintf(err, errlen, "cannot persist %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/config", b->cfg->store_dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    return 0;
}

/* Pushes the live values to the modules that copied them at start. */
static void dyn_effects(broker *b)
{
    log_set_level(log_level_parse(b->cfg->log_level));
    store_set_retention(b->st,
                        (uint64_t)b->cfg->file_reserved_hours * 3600 * 1000,
                        (uint32_t)b->cfg->disk_max_used_percent);
}

/* Checks one change on a scratch config; 0 or -1 (err names the key). */
static int dyn_validate(const dynconf_change *c, char *err, size_t errlen)
{
    const char *name = c->key ? config_canonical(c->key) : NULL;
    if (!name) {
        snprintf(err, errlen, "unknown config key '%s'",
                 c->key ? c->key : "(null)");
        return -1;
    }
    if (!config_is_dynamic(name)) {
        snprintf(err, errlen,
                 "config key '%s' cannot be changed while the broker runs "
                 "(set it in the properties file and restart)",
                 name);
        return -1;
    }
    if (!c->value)
        return 0;
    broker_config scratch;
    config_defaults(&scratch);
    int rc = config_set(&scratch, name, c->value, err, errlen);
    config_release(&scratch);
    return rc;
}

/* Records (value != NULL) or drops an override; 0 or -1. */
static int dyn_record(broker *b, const char *name, const char *value)
{
    int i = dyn_find(name);
    char err[256];
    if (!value) {
        if (i < 0)
            return 0;
        if (config_set(b->cfg, name, D.stat[i], err, sizeof err) != 0)
            log_error("config", NULL, "revert of %s: %s", name, err);
        free(D.key[i]);
        free(D.value[i]);
        free(D.stat[i]);
        D.n--;
        D.key[i] = D.key[D.n];
        D.value[i] = D.value[D.n];
        D.stat[i] = D.stat[D.n];
        return 0;
    }
    if (i < 0) {
        if (D.n >= DYN_MAX)
            return -1;
        char now[512];
        if (config_get_text(b->cfg, name, now, sizeof now) != 0)
            return -1;
        i = D.n;
        D.key[i] = strdup(name);
        D.stat[i] = strdup(now);
        D.value[i] = NULL;
        if (!D.key[i] || !D.stat[i]) {
            free(D.key[i]);
            free(D.stat[i]);
            return -1;
        }
        D.n++;
    }
    char *v = strdup(value);
    if (!v)
        return -1;
    free(D.value[i]);
    D.value[i] = v;
    if (config_set(b->cfg, name, value, err, sizeof err) != 0) {
        log_error("config", NULL, "%s", err); /* validated: our bug */
        return -1;
    }
    return 0;
}

int dynconf_apply(broker *b, const dynconf_change *ch, int n,
                  int validate_only, char *err, size_t errlen)
{
    for (int i = 0; i < n; i++)
        if (dyn_validate(&ch[i], err, errlen) != 0)
            return -1;
    if (validate_only)
        return 0;
    for (int i = 0; i < n; i++) {
        const char *name = config_canonical(ch[i].key);
        if (dyn_record(b, name, ch[i].value) != 0) {
            snprintf(err, errlen, "cannot record a change of '%s'", name);
            return -1;
        }
        if (ch[i].value)
            log_info("config", NULL, "%s set to %s at run time", name,
                     ch[i].value);
        else
            log_info("config", NULL, "%s reverted to its static value", name);
    }
    dyn_effects(b);
    return dyn_persist(b, err, errlen);
}

int dynconf_load(broker *b, char *err, size_t errlen)
{
    char path[4096];
    dyn_path(b, path, sizeof path, "");
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *eq = strchr(line, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected key=value", path, lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        dynconf_change c = {line, eq + 1};
        char inner[512] = "cannot record the value";
        if (dyn_validate(&c, inner, sizeof inner) != 0 ||
            dyn_record(b, config_canonical(line), eq + 1) != 0) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, inner);
            rc = -1;
            break;
        }
        log_info("config", NULL,
                 "%s=%s (set at run time earlier; overrides the static "
                 "value)",
                 config_canonical(line), eq + 1);
    }
    fclose(f);
    if (rc == 0)
        dyn_effects(b);
    return rc;
}
