# Golden results for calib.weighting from R survey (Lumley). Run from the repository root:
#   python tests/golden/weighting/make_data.py     # (seeded inputs, already committed)
#   Rscript tests/golden/weighting/make_golden.R
# Inputs: sample.csv, margins.csv, boot_multiplicities.csv (this folder).
# Outputs: golden_weights.csv (final weights per case, one column per case) and
#          golden_replicates.csv (calibrated total of y, replicate SE, per replicate scheme).
suppressMessages(library(survey))
here <- "tests/golden/weighting"
options(digits = 17)
smp <- read.csv(file.path(here, "sample.csv"), stringsAsFactors = FALSE)
lev <- list(sex = c("M", "F"), age4 = c("a18_29", "a30_44", "a45_64", "a65p"),
            educ3 = c("hs", "some", "ba"), region4 = c("NE", "MW", "S", "W"))
for (v in names(lev)) smp[[v]] <- factor(smp[[v]], levels = lev[[v]])
mar <- read.csv(file.path(here, "margins.csv"), stringsAsFactors = FALSE)
N <- sum(mar$total[mar$margin == "sex"])
one_way <- function(v) {
  m <- mar[mar$margin == v, ]
  out <- data.frame(factor(m$level, levels = lev[[v]]), Freq = m$total)
  names(out)[1] <- v
  out
}
joint <- mar[mar$margin == "sex:age4", ]
joint_df <- data.frame(sex = factor(joint$level, levels = lev$sex),
                       age4 = factor(joint$level2, levels = lev$age4), Freq = joint$total)
x_total <- mar$total[mar$margin == "x"]

des <- svydesign(ids = ~1, weights = ~d, data = smp)
ctl <- list(maxit = 1000, epsilon = 1e-13, verbose = FALSE)

# population totals in model.matrix order for ~sex+age4+educ3+region4 (+x)
totals_for <- function(with_x) {
  tot <- c(N, sapply(names(lev), function(v) one_way(v)$Freq[-1], simplify = FALSE))
  tot <- unlist(tot)
  if (with_x) tot <- c(tot, x_total)
  f <- if (with_x) ~sex + age4 + educ3 + region4 + x else ~sex + age4 + educ3 + region4
  names(tot) <- colnames(model.matrix(f, smp))
  list(formula = f, total = tot)
}
cat_only <- totals_for(FALSE)
with_x <- totals_for(TRUE)

out <- data.frame(row = seq_len(nrow(smp)) - 1)
r1 <- rake(des, list(~sex, ~age4, ~educ3, ~region4),
           list(one_way("sex"), one_way("age4"), one_way("educ3"), one_way("region4")),
           control = ctl)
out$rake <- weights(r1)
r2 <- rake(des, list(~sex + age4, ~educ3, ~region4),
           list(joint_df, one_way("educ3"), one_way("region4")), control = ctl)
out$rake_joint <- weights(r2)
eps <- 1e-12
out$linear <- weights(calibrate(des, with_x$formula, with_x$total, calfun = "linear"))
out$raking <- weights(calibrate(des, with_x$formula, with_x$total, calfun = "raking",
                                epsilon = eps, maxit = 200))
out$logit <- weights(calibrate(des, with_x$formula, with_x$total, calfun = "logit",
                               bounds = c(0.4, 2.2), epsilon = eps, maxit = 200))
out$linear_bounded <- weights(calibrate(des, cat_only$formula, cat_only$total,
                                        calfun = "linear", bounds = c(0.4, 2.5),
                                        epsilon = eps, maxit = 500))
out$raking_bounded <- weights(calibrate(des, cat_only$formula, cat_only$total,
                                        calfun = "raking", bounds = c(0.4, 2.5),
                                        epsilon = eps, maxit = 500))
out$raking_cat <- weights(calibrate(des, cat_only$formula, cat_only$total,
                                    calfun = "raking", epsilon = eps, maxit = 200))
out$poststrat <- weights(postStratify(des, ~sex + age4, joint_df))
write.csv(out, file.path(here, "golden_weights.csv"), row.names = FALSE)

# replicate variance of a calibrated total: replicate weights passed explicitly
n <- nrow(smp)
jk1 <- matrix(n / (n - 1), n, n)
diag(jk1) <- 0
mult <- as.matrix(read.csv(file.path(here, "boot_multiplicities.csv")))
boot <- mult * n / (n - 1)
schemes <- list(jk1 = list(rep = jk1, type = "JK1", scale = (n - 1) / n),
                bootstrap = list(rep = boot, type = "bootstrap", scale = 1 / (ncol(boot) - 1)))
rows <- list()
for (s in names(schemes)) {
  rd <- svrepdesign(data = smp, repweights = schemes[[s]]$rep * smp$d, weights = ~d,
                    type = schemes[[s]]$type, scale = schemes[[s]]$scale, rscales = 1,
                    combined.weights = TRUE, mse = FALSE)
  for (cf in c("linear", "raking")) {
    cal <- calibrate(rd, cat_only$formula, cat_only$total, calfun = cf, epsilon = eps,
                     maxit = 200, compress = FALSE)
    est <- svytotal(~y, cal)
    rows[[length(rows) + 1]] <- data.frame(scheme = s, distance = cf, estimate = coef(est)[[1]],
                                           se = SE(est)[[1]], scale = cal$scale,
                                           n_replicates = ncol(schemes[[s]]$rep))
  }
}
write.csv(do.call(rbind, rows), file.path(here, "golden_replicates.csv"), row.names = FALSE)
cat("golden outputs written\n")
