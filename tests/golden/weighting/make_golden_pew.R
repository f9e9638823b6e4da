# Golden aggregates for calib.weighting on REAL data: the Pew Research Center December 2013
# survey excerpt raked to ACS 2017 targets (pewmethods example data, MIT licence; files live
# in ../shared/data/pewmethods_pew_acs and are NOT copied into this repository).
# Run from the repository root:  Rscript tests/golden/weighting/make_golden_pew.R
# Output: golden_pew.csv -- only aggregates (weighted shares, Kish ESS, weight range) per method.
suppressMessages(library(survey))
here <- "tests/golden/weighting"
data_dir <- Sys.getenv("CALIB_DATA_DIR", "../shared/data")
src <- file.path(data_dir, "pewmethods_pew_acs")
lev <- list(sex = c("Male", "Female"),
            recage = c("18-24", "25-34", "35-44", "45-54", "55-64", "65+"),
            receduc = c("HS grad or less", "Some coll/Assoc degree", "Coll+"))
pew <- read.csv(file.path(src, "dec13_excerpt.csv"), stringsAsFactors = FALSE)
pew <- pew[pew$recage %in% lev$recage & pew$receduc %in% lev$receduc, ]
acs <- read.csv(file.path(src, "acs_2017_excerpt.csv"), stringsAsFactors = FALSE)
for (v in names(lev)) {
  pew[[v]] <- factor(pew[[v]], levels = lev[[v]])
  acs[[v]] <- factor(acs[[v]], levels = lev[[v]])
}
n <- nrow(pew)
acs$Freq <- acs$weight / sum(acs$weight) * n
pew$approve <- as.numeric(pew$q1 == "Approve")
pew$aca <- as.numeric(pew$q45 == "Approve")
des <- svydesign(ids = ~1, weights = ~rep(1, n), data = pew)
margin <- function(vars) {
  out <- aggregate(acs$Freq, by = acs[vars], FUN = sum)
  names(out)[ncol(out)] <- "Freq"
  out
}
ctl <- list(maxit = 1000, epsilon = 1e-13, verbose = FALSE)
fits <- list(
  rake = rake(des, list(~sex, ~recage, ~receduc),
              list(margin("sex"), margin("recage"), margin("receduc")), control = ctl),
  rake_joint = rake(des, list(~sex + recage, ~receduc),
                    list(margin(c("sex", "recage")), margin("receduc")), control = ctl),
  poststrat = postStratify(des, ~sex + recage + receduc, margin(c("sex", "recage", "receduc")))
)
tot <- c(n, margin("sex")$Freq[-1], margin("recage")$Freq[-1], margin("receduc")$Freq[-1])
fits$linear <- calibrate(des, ~sex + recage + receduc, tot, calfun = "linear")
fits$logit <- calibrate(des, ~sex + recage + receduc, tot, calfun = "logit",
                        bounds = c(0.3, 3.0), epsilon = 1e-12, maxit = 200)
rows <- lapply(names(fits), function(m) {
  w <- weights(fits[[m]])
  data.frame(method = m, n = n, approve = sum(w * pew$approve) / sum(w),
             aca_approve = sum(w * pew$aca) / sum(w), kish_ess = sum(w)^2 / sum(w^2),
             min_weight = min(w), max_weight = max(w))
})
write.csv(do.call(rbind, rows), file.path(here, "golden_pew.csv"), row.names = FALSE)
cat("golden_pew.csv written\n")
