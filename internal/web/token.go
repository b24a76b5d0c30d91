package web

import (
	"net/http"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// The administrator's page of API tokens: list, create (the token is shown
// once, on the answer to the form), revoke.

func (s *Server) registerTokenRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/tokens", s.page(s.handleTokens))
	mux.HandleFunc("POST /admin/tokens", s.action(s.handleTokenCreate))
	mux.HandleFunc("POST /admin/tokens/{id}/revoke", s.action(s.handleTokenRevoke))
}

// tokensView is the data of the token page.
type tokensView struct {
	Layout
	Tokens []*desk.APIToken
	Total  int
	Pager  *Pager
	Users  []*desk.User
	// The creation form, as typed when it failed.
	UserID int64
	Name   string
	Errors map[string]string
	// NewToken is the token just created, shown this once, and its record.
	NewToken    string
	NewTokenRec *desk.APIToken
}

// authorizeAdmin refuses the token page to whoever may not manage users: the
// page shows every user's tokens.
func authorizeAdmin(r *http.Request) error {
	return desk.Authorize(r.Context(), desk.ActionModify, desk.ClassUser)
}

func (s *Server) handleTokens(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	return s.renderTokens(w, r, http.StatusOK, &tokensView{})
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, v *tokensView) error {
	ctx := r.Context()
	v.Nav = "tokens"
	page := pageNumber(r)
	var err error
	if v.Tokens, v.Total, err = s.svc.Tokens.FindAPITokens(ctx, desk.APITokenFilter{
		Offset: (page - 1) * pageSize, Limit: pageSize}); err != nil {
		return err
	}
	v.Pager = newPager(r, page, v.Total)
	if v.Users, _, err = s.svc.Users.FindUsers(ctx, desk.UserFilter{Limit: selectLimit}); err != nil {
		return err
	}
	return s.render(w, r, status, "tokens", v)
}

// handleTokenCreate creates a token for the chosen user and shows it, once.
func (s *Server) handleTokenCreate(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	userID, err := formID(r, "user_id")
	v := &tokensView{UserID: userID, Name: r.PostForm.Get("name")}
	if err == nil && userID == 0 {
		err = desk.Invalid("user_id", "error.token_user_missing")
	}
	if err == nil {
		var token string
		token, v.NewTokenRec, err = s.svc.Tokens.CreateAPIToken(r.Context(), userID, v.Name)
		if err == nil {
			s.log.Info("API token created", "id", v.NewTokenRec.ID, "for", v.NewTokenRec.Login)
			v.NewToken, v.UserID, v.Name = token, 0, ""
			return s.renderTokens(w, r, http.StatusOK, v)
		}
	}
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		err = desk.Invalid("user_id", "error.token_user_missing")
	}
	if v.Errors = s.formErrors(r, err, "user_id", "name"); v.Errors == nil {
		return err
	}
	return s.renderTokens(w, r, http.StatusUnprocessableEntity, v)
}

func (s *Server) handleTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := s.svc.Tokens.RevokeAPIToken(r.Context(), id)
	if err != nil {
		return err
	}
	s.log.Info("API token revoked", "id", t.ID, "for", t.Login)
	redirect(w, r, "/admin/tokens")
	return nil
}
